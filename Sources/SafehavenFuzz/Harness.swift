import Foundation
import NIOCore
import SafehavenArchive
import SafehavenCore
import SafehavenMail
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
        if selector == mailSelector { return mail(input) }
        if selector == uploadTextSelector { return uploadText(input) }
        if selector == tusSelector { return tus(input) }
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

    /// 0x53 ("S") picks what a mail relay sends back (SMTP replies) and the message writer given
    /// any name, subject and text: the message must stay 7-bit with lines of at most 998 bytes.
    static let mailSelector: UInt8 = 0x53

    /// 0x55 picks the readers of uploaded files: the Office ZIP walk and the identifier tally, fed
    /// in pieces cut where the first byte says.
    static let uploadTextSelector: UInt8 = 0x55

    static func uploadText(_ input: [UInt8]) {
        let cut = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        var office = OfficeTextStream(cap: 1 << 20)
        var tally = IdentifierTally(cap: 1000)
        for piece in [input[..<cut], input[cut...]] {
            office.update(piece) { tally.update($0) }
            tally.update(piece)
        }
        _ = tally.finish()
    }

    /// 0x54 ("T") picks the tus headers: `Upload-Metadata` (which must survive being written out
    /// and read again) and the byte counts of `Upload-Offset` and `Upload-Length`.
    static let tusSelector: UInt8 = 0x54

    static func tus(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        if let parsed = try? Tus.metadata(text) {
            let written = Tus.encodeMetadata(parsed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            precondition((try? Tus.metadata(written)) == parsed, "Upload-Metadata does not survive being written and read again")
        }
        if let value = try? Tus.bytes(text, header: "Upload-Offset") { precondition(value >= 0, "a negative byte count") }
    }

    static func mail(_ input: [UInt8]) {
        _ = try? SMTPReplyParser.parse(input)
        let parts = input.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let message = MailMessage(from: .init(name: parts.first ?? "", email: "n@example.org"), to: .init(email: "b@example.org"),
                                  subject: parts.count > 1 ? parts[1] : "", messageID: "fuzz@example.org", date: Date(timeIntervalSince1970: 0),
                                  text: parts.count > 2 ? parts[2] : "", html: parts.count > 2 ? parts[2] : "")
        let rendered = message.rendered()
        precondition(rendered.utf8.allSatisfy { $0 < 128 }, "a message that is not 7-bit")
        precondition(rendered.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 998 }, "a line over 998 bytes")
        precondition(!rendered.contains("\r\n.\r\n"), "a line that would end the message early")
        let stuffed = smtpDataSection(rendered)
        precondition(stuffed.hasSuffix("\r\n.\r\n"), "the end of data is missing")
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
