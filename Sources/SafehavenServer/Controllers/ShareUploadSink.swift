import Foundation
import NIOCore
import SafehavenCore

/// Routes multipart parts of a share upload: `share` (the JSON details, checked as soon as it
/// arrives) and `file` parts (sealed to the blob store as they stream).
final class ShareUploadSink: PartSink {
    static let jsonLimit = 256 * 1024
    let upload: ShareUpload
    let service: ShareService
    private var kind: Kind = .none
    private var json: [UInt8] = []
    private var file: IncomingFile?
    private(set) var sawShare = false

    enum Kind { case none, share, file }

    init(upload: ShareUpload, service: ShareService) {
        self.upload = upload
        self.service = service
    }

    func begin(_ headers: MultipartStream.PartHeaders) async throws {
        switch headers.name {
        case "share":
            guard !sawShare else { throw SafehavenError.badRequest("malformed_multipart", "Send exactly one part named 'share'.") }
            kind = .share
            json = []
        case "file", "files", "file[]", "files[]":
            kind = .file
            file = try await upload.beginFile(name: headers.filename ?? "file", contentType: headers.contentType ?? "application/octet-stream")
        default:
            throw SafehavenError.badRequest("malformed_multipart", "Unexpected part '\(String((headers.name ?? "").prefix(40)))': use 'share' and 'file'.")
        }
    }

    func body(_ chunk: ByteBuffer) async throws {
        switch kind {
        case .share:
            guard json.count + chunk.readableBytes <= Self.jsonLimit else {
                throw SafehavenError(.tooLarge, code: "too_large", message: "The 'share' part can be at most \(Self.jsonLimit) bytes.")
            }
            json.append(contentsOf: chunk.readableBytesView)
        case .file:
            try await file?.write(chunk.readableBytesView)
        case .none:
            break
        }
    }

    func end() async throws {
        switch kind {
        case .share:
            let draft = try JSON.decode(ShareDraft.self, from: Data(json))
            sawShare = true
            json = []
            try await service.accept(draft, into: upload)
        case .file:
            try await file?.finish()
            file = nil
        case .none:
            break
        }
        kind = .none
    }

    /// Drops whatever was written; used on any failure, including a client that went away.
    func abandon() {
        file?.abort()
        file = nil
        upload.discard()
    }
}
