import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// `POST /api/v1/shares/{id}/export` and `GET /api/v1/exports/{id}`: a share as an encrypted
/// archive for someone without an account.
struct ExportController {
    let exports: ExportService

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.exportShare, use: export)
        group.on(.downloadExport, use: download)
    }

    struct ExportDTO: ResponseEncodable {
        let id: String
        let shareId: String
        let password: String
        let size: Int64
        let download: String
        let reminder: String
    }

    static let reminder = "This password is shown once. Send it by another channel: telephone the recipient on a number you have checked. Never put it in the same email as the archive."

    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ExportDTO> {
        let user = try context.requireUser()
        var names = ArchiveNames.Identifying.refuse
        if let raw = request.uri.queryParameters["names"] {
            guard let chosen = ArchiveNames.Identifying(rawValue: String(raw)) else {
                throw SafehavenError.invalid("names", "names is refuse, wrap or allow.")
            }
            names = chosen
        }
        let result = try await exports.export(try context.parameters.require("id"), by: user, names: names)
        return EditedResponse(status: .created, response: ExportDTO(
            id: result.export.id, shareId: result.export.shareID, password: result.password, size: result.export.size,
            download: Endpoint.downloadExport.path(result.export.id), reminder: Self.reminder))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return Self.stream(try await exports.download(try context.parameters.require("id"), by: user))
    }

    /// The archive as a download, read from the blob store as it goes.
    static func stream(_ found: ExportService.Download) -> Response {
        let reader = found.reader
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = ContentDisposition.attachment(filename: found.fileName)
        headers[.cacheControl] = "no-store"
        let body = ResponseBody(contentLength: Int(found.export.size)) { writer in
            defer { reader.close() }
            while true {
                let chunk = try reader.read(max: 64 * 1024)
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
