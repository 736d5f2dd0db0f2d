import Foundation
import NIOCore
import SafehavenArchive
import SafehavenCore
import SafehavenServer

/// One input for each reader that takes bytes from outside: the first byte picks the reader, the
/// rest is its input. Any thrown error is a fine answer; a trap or a crash is a finding.
enum Harness {
    static let archivePath = FileManager.default.temporaryDirectory
        .appendingPathComponent("safehaven-fuzz-\(getpid()).zip").path

    static func run(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let input = Array(data.dropFirst())
        if selector == auditExportSelector { return auditExport(input) }
        switch selector % 3 {
        case 0: multipart(input)
        case 1: json(input)
        default: archive(input)
        }
    }

    /// The body is fed in two pieces, cut where its first byte says, so chunk edges are explored too.
    static func multipart(_ input: [UInt8]) {
        var reader = MultipartReader(boundary: "b")
        let cut = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        do {
            _ = try reader.feed(ByteBuffer(bytes: input[..<cut]))
            _ = try reader.feed(ByteBuffer(bytes: input[cut...]))
        } catch {}
    }

    static func json(_ input: [UInt8]) {
        _ = try? JSON.decode(ShareDraft.self, from: Data(input))
    }

    /// 0xAE picks the audit export reader (JSON lines, read on another machine) and the published
    /// checkpoint parser.
    static let auditExportSelector: UInt8 = 0xAE
    static let exportPath = FileManager.default.temporaryDirectory.appendingPathComponent("safehaven-fuzz-\(getpid()).jsonl")

    static func auditExport(_ input: [UInt8]) {
        _ = PublishedCheckpoint(String(decoding: input.prefix(300), as: UTF8.self))
        guard FileManager.default.createFile(atPath: exportPath.path, contents: Data(input)) else { return }
        defer { try? FileManager.default.removeItem(at: exportPath) }
        _ = try? AuditService.verifyExport(at: exportPath, trustedKey: nil)
    }

    static func archive(_ input: [UInt8]) {
        guard FileManager.default.createFile(atPath: archivePath, contents: Data(input)) else { return }
        defer { try? FileManager.default.removeItem(atPath: archivePath) }
        guard let reader = try? AESZipReader(path: archivePath) else { return }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("safehaven-fuzz-out-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try? reader.extract(to: out, password: "fuzz-password-123456")
    }
}
