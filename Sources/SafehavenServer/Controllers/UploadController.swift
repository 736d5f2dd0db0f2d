import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import SafehavenCore

/// Drafts and resumable uploads: the tus protocol under `/api/v1/uploads` (bearer tokens) and,
/// for the compose page's script, under `/compose/uploads` (the browser session and its form token).
struct UploadController {
    let uploads: UploadService
    let limits: Limits
    /// Where the upload routes live, for `Location` headers.
    let base: String
    /// The person making the request, or an error (401, 403) that ends it.
    let person: @Sendable (Request, AppRequestContext) throws -> User

    /// The API's: bearer tokens, paths from `Endpoint`.
    static func api(_ runtime: Runtime) -> UploadController {
        UploadController(uploads: UploadService(runtime.deps), limits: runtime.deps.limits, base: "/api/v1/uploads") { _, context in
            try context.requireUser()
        }
    }

    /// Drafts with the signed-in routes; tus under its own middleware (OPTIONS open to anyone).
    func addRoutes(api: RouterGroup<AppRequestContext>, tus: RouterGroup<AppRequestContext>, auth: AuthService) {
        api.on(.createDraft, use: createDraft)
        api.on(.showDraft, use: showDraft)
        api.on(.discardDraft, use: deleteDraft)
        tus.on(.uploadOptions, use: options)
        let signed = tus.group().add(middleware: BearerAuthenticator(auth: auth)).add(middleware: RequireSignIn())
        signed.on(.createUpload, use: create)
        signed.on(.uploadStatus, use: status)
        signed.on(.appendUpload, use: append)
        signed.on(.terminateUpload, use: terminate)
    }

    // MARK: drafts

    @Sendable func createDraft(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<DraftDTO> {
        let user = try person(request, context)
        let draft = try await uploads.createDraft(by: user)
        return EditedResponse(status: .created, response: DraftDTO(draft, uploads: [], base: base))
    }

    @Sendable func showDraft(_ request: Request, context: AppRequestContext) async throws -> DraftDTO {
        let user = try person(request, context)
        let (draft, files) = try await uploads.draft(try context.parameters.require("id"), by: user)
        return DraftDTO(draft, uploads: files, base: base)
    }

    @Sendable func deleteDraft(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try person(request, context)
        try await uploads.discardDraft(try context.parameters.require("id"), by: user)
        return Response(status: .noContent)
    }

    // MARK: tus

    /// OPTIONS: what this server supports. Open to anyone, as the protocol expects.
    @Sendable func options(_ request: Request, context: AppRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[Tus.versionHeader] = Tus.version
        headers[Tus.extensionHeader] = Tus.extensions
        headers[Tus.maxSize] = String(limits.maxShareBytes)
        return Response(status: .noContent, headers: headers)
    }

    /// POST (creation): `Upload-Length` and `Upload-Metadata` with `draft` and `filename`.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try person(request, context)
        guard request.headers[Tus.deferLength] == nil else {
            throw SafehavenError.badRequest("length_required", "Say the file's length in Upload-Length: uploads of unknown length are not taken.")
        }
        let length = try Tus.bytes(request.headers[Tus.uploadLength], header: "Upload-Length")
        guard length <= limits.maxShareBytes else {
            throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(limits.maxShareBytes) bytes in all.")
        }
        let metadata = try Tus.metadata(request.headers[Tus.uploadMetadata])
        guard let draft = metadata["draft"], !draft.isEmpty else {
            throw SafehavenError.badRequest("draft_required", "Name the draft the file belongs to in Upload-Metadata ('draft', from POST /api/v1/drafts).")
        }
        let name = metadata["filename"] ?? metadata["name"] ?? "file"
        let type = metadata["filetype"] ?? metadata["type"] ?? "application/octet-stream"
        let upload = try await uploads.create(in: draft, name: name, contentType: type, length: length, by: user)
        var headers = HTTPFields()
        headers[.location] = "\(base)/\(upload.id)"
        headers[Tus.uploadExpires] = Tus.httpDate(upload.expiresAt)
        headers[Tus.uploadOffset] = "0"
        return Response(status: .created, headers: headers)
    }

    /// HEAD: where the upload stands.
    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try person(request, context)
        let upload = try await uploads.status(try context.parameters.require("id"), by: user)
        var headers = HTTPFields()
        headers[Tus.uploadOffset] = String(upload.offset)
        headers[Tus.uploadLength] = String(upload.length)
        headers[Tus.uploadMetadata] = Tus.encodeMetadata([("draft", upload.draftID), ("filename", upload.name), ("filetype", upload.contentType)])
        if !upload.isComplete { headers[Tus.uploadExpires] = Tus.httpDate(upload.expiresAt) }
        return Response(status: .ok, headers: headers)
    }

    /// PATCH: bytes from `Upload-Offset` on. Whatever is whole when the body ends (or breaks off)
    /// is kept and reported; the last byte completes the upload after it has been read back.
    @Sendable func append(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try person(request, context)
        guard request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == Tus.contentType else {
            throw SafehavenError(.unsupportedMediaType, code: "wrong_content_type", message: "Send the bytes as \(Tus.contentType).")
        }
        let offset = try Tus.bytes(request.headers[Tus.uploadOffset], header: "Upload-Offset")
        let id = try context.parameters.require("id")
        let writer = try await uploads.append(to: id, at: offset, by: user)
        if let declared = request.headers[.contentLength].flatMap(Int64.init), offset + declared > writer.length {
            await writer.interrupted()
            throw SafehavenError(.tooLarge, code: "past_upload_length", message: "This upload was declared as \(writer.length) bytes; these bytes go past its end.")
        }
        context.continueIfExpected(request)
        let upload: ResumableUpload
        do {
            for try await buffer in request.body {
                try await writer.write(buffer.readableBytesView)
            }
            upload = try await writer.end()
        } catch {
            await writer.interrupted()
            throw error
        }
        Counter(label: "safehaven_upload_bytes_total").increment(by: Int(clamping: upload.offset - offset))
        var headers = HTTPFields()
        headers[Tus.uploadOffset] = String(upload.offset)
        if !upload.isComplete { headers[Tus.uploadExpires] = Tus.httpDate(upload.expiresAt) }
        return Response(status: .noContent, headers: headers)
    }

    /// DELETE (termination): the upload and its bytes are gone.
    @Sendable func terminate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try person(request, context)
        try await uploads.delete(try context.parameters.require("id"), by: user)
        return Response(status: .noContent)
    }
}

/// A draft as the API shows it.
struct DraftDTO: ResponseEncodable {
    struct File: Encodable {
        let id: String
        let name: String
        let size: Int64
        let received: Int64
        let complete: Bool
        let sha256: String?
        let location: String
    }
    let id: String
    let createdAt: String
    let expiresAt: String
    let uploads: [File]

    init(_ draft: UploadDraft, uploads: [ResumableUpload], base: String) {
        id = draft.id
        createdAt = ISODate.format(draft.createdAt)
        expiresAt = ISODate.format(draft.expiresAt)
        self.uploads = uploads.map {
            File(id: $0.id, name: $0.name, size: $0.length, received: $0.offset, complete: $0.isComplete, sha256: $0.sha256, location: "\(base)/\($0.id)")
        }
    }
}
