import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import SafehavenCore

/// `/api/v1/shares`, `/api/v1/inbox`, `/api/v1/sent`. Parses, calls the share service, presents.
struct ShareController {
    let shares: ShareService
    let clock: any Clock
    let limits: Limits

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.createShare, use: create)
        group.on(.inbox, use: inbox)
        group.on(.sent, use: sent)
        group.on(.showShare, use: show)
        group.on(.downloadFile, use: download)
        group.on(.confirmReceipt, use: receipt)
        group.on(.reply, use: reply)
        group.on(.revoke, use: revoke)
        group.on(.deleteShare, use: delete)
        group.on(.tracking, use: tracking)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ShareDetailDTO> {
        try await receive(request, context: context, replyTo: nil)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ShareDetailDTO> {
        try await receive(request, context: context, replyTo: try context.parameters.require("id"))
    }

    /// Streams a multipart upload into a new share (or a reply). On any failure, including the
    /// client going away, every blob written is removed and no row is committed. `?draft=` sends
    /// the files uploaded into that draft (with tus) too; then the body may also be the share's
    /// details alone, as JSON.
    private func receive(_ request: Request, context: AppRequestContext, replyTo: String?) async throws -> EditedResponse<ShareDetailDTO> {
        let user = try context.requireUser()
        let draftID = request.uri.queryParameters["draft"].map(String.init)
        let isJSON = request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
        let boundary = isJSON ? nil : try MultipartStream.boundary(fromContentType: request.headers[.contentType])
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limits.maxShareBytes + 1024 * 1024 {
            throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(limits.maxShareBytes) bytes in all.")
        }
        let upload = try await shares.beginUpload(sender: user, replyTo: replyTo, draft: draftID)
        context.continueIfExpected(request)
        let sink = ShareUploadSink(upload: upload, service: shares)
        let detail: ShareService.Detail
        do {
            if let boundary {
                try await MultipartStream(boundary: boundary).run(body: request.body, sink: sink)
                guard sink.sawShare else {
                    throw SafehavenError.invalid("share", "The request needs a part named 'share' holding the share's details as JSON.")
                }
            } else {
                let body = try await request.body.collect(upTo: ShareUploadSink.jsonLimit)
                try await shares.accept(try JSON.decode(ShareDraft.self, from: Data(body.readableBytesView)), into: upload)
            }
            detail = try await shares.commit(upload)
        } catch {
            sink.abandon()
            throw error
        }
        Counter(label: "safehaven_shares_created_total").increment()
        if draftID == nil {
            Counter(label: "safehaven_upload_bytes_total").increment(by: Int(clamping: detail.files.reduce(0) { $0 + $1.size }))
        }
        return EditedResponse(status: .created, response: ShareDetailDTO(detail, now: clock.now()))
    }

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> ShareListDTO {
        try await list(.inbox, request, context)
    }

    @Sendable func sent(_ request: Request, context: AppRequestContext) async throws -> ShareListDTO {
        try await list(.sent, request, context)
    }

    /// `?limit=&cursor=&status=&unread=`, each checked by the service.
    private func list(_ box: ShareListQuery.Box, _ request: Request, _ context: AppRequestContext) async throws -> ShareListDTO {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        var limit: Int?
        if let raw = query["limit"] {
            guard let value = Int(raw) else { throw SafehavenError.invalid("limit", "The limit must be a whole number.") }
            limit = value
        }
        var unread = false
        if let raw = query["unread"] {
            guard let value = Bool(String(raw)) else { throw SafehavenError.invalid("unread", "unread is true or false.") }
            unread = value
        }
        let page = try await shares.list(box, for: user, limit: limit, cursor: query["cursor"].map(String.init),
                                         status: query["status"].map(String.init), unreadOnly: unread)
        return ShareListDTO(page, now: clock.now())
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> ShareDetailDTO {
        let user = try context.requireUser()
        return ShareDetailDTO(try await shares.open(try context.parameters.require("id"), by: user), now: clock.now())
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let download = try await shares.download(try context.parameters.require("id"), fileID: try context.parameters.require("fileId"), by: user)
        return Self.stream(download, logger: context.logger)
    }

    /// A file as a download: headers first (the blob's start already checked), then the bytes.
    static func stream(_ download: FileDownload, logger: Logger) -> Response {
        let file = download.file
        Counter(label: "safehaven_downloads_total").increment()
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = ContentDisposition.attachment(filename: file.name)
        headers[.xContentSHA256] = file.sha256
        headers[.cacheControl] = "no-store"
        let body = ResponseBody(contentLength: Int(file.size)) { writer in
            do {
                while let chunk = try await download.next() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            } catch {
                download.close()
                // The connection is cut short: the client sees fewer bytes than Content-Length.
                logger.error("download aborted", metadata: ["error": "\(error)"])
                throw error
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    struct ReceiptDTO: ResponseEncodable { let receiptConfirmedAt: String? }

    @Sendable func receipt(_ request: Request, context: AppRequestContext) async throws -> ReceiptDTO {
        let user = try context.requireUser()
        let mine = try await shares.confirmReceipt(try context.parameters.require("id"), by: user)
        return ReceiptDTO(receiptConfirmedAt: mine.receiptAt.map(ISODate.format))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> ShareSummaryDTO {
        let user = try context.requireUser()
        let summary = try await shares.revoke(try context.parameters.require("id"), by: user)
        return ShareSummaryDTO(summary, now: clock.now())
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        try await shares.delete(try context.parameters.require("id"), by: user)
        return .noContent
    }

    @Sendable func tracking(_ request: Request, context: AppRequestContext) async throws -> TrackingDTO {
        let user = try context.requireUser()
        let report = try await shares.tracking(try context.parameters.require("id"), by: user)
        return TrackingDTO(
            shareId: report.share.id, status: report.share.status(at: clock.now()).rawValue,
            recipients: report.recipients.map { recipient, events in
                .init(email: recipient.email, events: events.map { .init(type: $0.type.rawValue, at: ISODate.format($0.at)) },
                      notice: report.notices[recipient.email].map {
                          .init(state: $0.state == .sending ? "queued" : $0.state.rawValue, acceptedAt: $0.acceptedAt.map(ISODate.format))
                      })
            })
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
