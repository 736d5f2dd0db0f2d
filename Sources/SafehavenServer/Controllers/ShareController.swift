import Foundation
import Hummingbird
import Metrics
import NIOCore
import SafehavenCore

/// `/api/v1/shares`, `/api/v1/inbox`, `/api/v1/sent`.
struct ShareController {
    let runtime: Runtime
    var shares: ShareService { runtime.shares }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("shares", use: create)
        group.get("inbox", use: inbox)
        group.get("sent", use: sent)
        group.get("shares/:id", use: show)
        group.get("shares/:id/files/:fileId", use: download)
        group.post("shares/:id/receipt", use: receipt)
        group.post("shares/:id/replies", use: reply)
        group.post("shares/:id/revoke", use: revoke)
        group.delete("shares/:id", use: delete)
        group.get("shares/:id/tracking", use: tracking)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await receive(request, context: context, replyTo: nil)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await receive(request, context: context, replyTo: try context.parameters.require("id"))
    }

    /// Streams a multipart upload into a new share (or a reply). On any failure, including the
    /// client going away, every blob written is removed and no row is committed.
    private func receive(_ request: Request, context: AppRequestContext, replyTo: String?) async throws -> Response {
        let user = try context.requireUser()
        let boundary = try MultipartStream.boundary(fromContentType: request.headers[.contentType])
        if let length = request.headers[.contentLength].flatMap(Int64.init),
           length > runtime.config.limits.maxShareBytes + 1024 * 1024 {
            throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(runtime.config.limits.maxShareBytes) bytes in all.")
        }
        let upload = try await shares.beginUpload(sender: user, replyTo: replyTo)
        let sink = ShareUploadSink(upload: upload, service: shares)
        let share: Share
        do {
            try await MultipartStream(boundary: boundary).run(body: request.body, sink: sink)
            guard sink.sawShare else {
                throw SafehavenError.invalid("share", "The request needs a part named 'share' holding the share's details as JSON.")
            }
            share = try await shares.commit(upload)
        } catch {
            sink.abandon()
            throw error
        }
        Counter(label: "safehaven_shares_created_total").increment()
        Counter(label: "safehaven_upload_bytes_total").increment(by: Int(clamping: upload.files.reduce(0) { $0 + $1.size }))
        return try JSON.response(try await detailDTO(try await shares.open(share.id, by: user)), status: .created)
    }

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try JSON.response(ShareListDTO(shares: try await summaries(try await shares.inbox(for: user))))
    }

    @Sendable func sent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try JSON.response(ShareListDTO(shares: try await summaries(try await shares.sent(by: user))))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let detail = try await shares.open(try context.parameters.require("id"), by: user)
        return try JSON.response(try await detailDTO(detail, viewer: user))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let (file, stream) = try await shares.download(try context.parameters.require("id"), fileID: try context.parameters.require("fileId"), by: user)
        Counter(label: "safehaven_downloads_total").increment()
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = ContentDisposition.attachment(filename: file.name)
        headers[.xContentSHA256] = file.sha256
        let logger = context.logger
        let body = ResponseBody(contentLength: Int(file.size)) { writer in
            do {
                while let chunk = try stream.next() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            } catch {
                stream.close()
                // The connection is cut short: the client sees fewer bytes than Content-Length.
                logger.error("download aborted", metadata: ["error": "\(error)"])
                throw error
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func receipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let mine = try await shares.confirmReceipt(try context.parameters.require("id"), by: user)
        struct Out: Encodable { let receiptConfirmedAt: String? }
        return try JSON.response(Out(receiptConfirmedAt: mine.receiptAt.map(ISODate.format)))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let share = try await shares.revoke(try context.parameters.require("id"), by: user)
        return try JSON.response(try await summaries([share])[0])
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try await shares.delete(try context.parameters.require("id"), by: user)
        return Response(status: .noContent)
    }

    @Sendable func tracking(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let rows = try await shares.tracking(id, by: user)
        let share = try await shares.access(id, by: user).share
        let dto = TrackingDTO(
            shareId: id, status: share.status(at: runtime.deps.clock.now()).rawValue,
            recipients: rows.map { recipient, events in
                .init(email: recipient.email, events: events.map { .init(type: $0.type.rawValue, at: ISODate.format($0.at)) })
            })
        return try JSON.response(dto)
    }

    // MARK: presenting

    private func summaries(_ list: [Share]) async throws -> [ShareSummaryDTO] {
        let now = runtime.deps.clock.now()
        var out: [ShareSummaryDTO] = []
        for share in list {
            let (sender, org, recipients) = try await runtime.store.read { db in
                (try await db.user(id: share.senderID), try await db.organisation(id: share.senderOrganisationID),
                 try await db.recipients(shareID: share.id))
            }
            out.append(ShareSummaryDTO(share, now: now, sender: sender.map { PersonDTO($0, organisation: org) },
                                       recipients: recipients.map(\.email)))
        }
        return out
    }

    private func detailDTO(_ detail: ShareService.Detail, viewer: User? = nil) async throws -> ShareDetailDTO {
        let summary = ShareSummaryDTO(detail.share, now: runtime.deps.clock.now(),
                                      sender: detail.sender.map { PersonDTO($0, organisation: detail.senderOrganisation) },
                                      recipients: detail.recipients.map(\.email))
        let mine = viewer.flatMap { v in detail.recipients.first { $0.userID == v.id } }
        return ShareDetailDTO(
            share: summary, message: detail.message,
            files: detail.files.map { FileDTO(id: $0.id, name: $0.name, size: $0.size, sha256: $0.sha256, contentType: $0.contentType) },
            receiptConfirmedAt: mine?.receiptAt.map(ISODate.format),
            policyChecks: detail.viewerIsSender ? PolicyChecks.from(json: detail.share.policyNotes) : nil)
    }
}

/// A `Content-Disposition` that no file name can break out of: an ASCII fallback in quotes and
/// the exact name percent-encoded (RFC 6266 / RFC 5987).
enum ContentDisposition {
    static func attachment(filename: String) -> String {
        let fallback = FileName.asciiFallback(filename)
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
