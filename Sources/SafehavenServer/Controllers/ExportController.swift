import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// `POST /api/v1/shares/{id}/export`, `GET /api/v1/exports/{id}`, the partner password registry
/// under `/api/v1/archive-passwords`, and `GET /api/v1/register`.
struct ExportController {
    let runtime: Runtime

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("shares/:id/export", use: export)
        group.get("exports/:id", use: download)
        group.post("archive-passwords", use: createPassword)
        group.get("archive-passwords", use: listPasswords)
        group.post("archive-passwords/:id/reveal", use: revealPassword)
        group.post("archive-passwords/:id/rotate", use: rotatePassword)
        group.get("register", use: register)
    }

    struct ExportDTO: Encodable {
        let id: String
        let shareId: String
        let password: String
        let size: Int64
        let download: String
        let reminder: String
    }

    static let reminder = "This password is shown once. Send it by another channel: telephone the recipient on a number you have checked. Never put it in the same email as the archive."

    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let result = try await ShareExporter(runtime: runtime).export(try context.parameters.require("id"), by: user)
        return try JSON.response(ExportDTO(id: result.export.id, shareId: result.export.shareID, password: result.password,
                                           size: result.export.size, download: "/api/v1/exports/\(result.export.id)",
                                           reminder: Self.reminder), status: .created)
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        guard let export = try await runtime.store.read({ try await $0.export(id: id) }), export.createdBy == user.id else {
            throw SafehavenError.notFound
        }
        guard export.destroyedAt == nil else { throw SafehavenError.gone("export_destroyed", "The share was withdrawn or expired, and this archive with it.") }
        let reader = try runtime.deps.blobs.openReader(id: export.blobID)
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = ContentDisposition.attachment(filename: "safehaven-\(export.shareID).zip")
        let body = ResponseBody(contentLength: Int(export.size)) { writer in
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

    struct PasswordRequest: Decodable {
        let partner: String
        let purpose: String
        let password: String?
        let rotateDays: Int?
    }

    struct PasswordDTO: Encodable {
        let id: String
        let partner: String
        let purpose: String
        let createdAt: String
        let rotateBy: String
        let rotationDue: Bool
        let password: String?
    }

    @Sendable func createPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await JSON.decode(PasswordRequest.self, from: request, limit: 16 * 1024)
        let (record, password) = try await PartnerPasswordService(runtime.deps).create(
            partner: body.partner, purpose: body.purpose, password: body.password, rotateDays: body.rotateDays, by: user)
        return try JSON.response(PasswordDTO(id: record.id, partner: record.partner, purpose: record.purpose,
                                             createdAt: ISODate.format(record.createdAt), rotateBy: ISODate.format(record.rotateBy),
                                             rotationDue: false, password: body.password == nil ? password : nil), status: .created)
    }

    @Sendable func listPasswords(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        struct Out: Encodable { let passwords: [PasswordDTO] }
        let listed = try await PartnerPasswordService(runtime.deps).list(for: user)
        return try JSON.response(Out(passwords: listed.map {
            PasswordDTO(id: $0.record.id, partner: $0.record.partner, purpose: $0.record.purpose, createdAt: ISODate.format($0.record.createdAt),
                        rotateBy: ISODate.format($0.record.rotateBy), rotationDue: $0.rotationDue, password: nil)
        }))
    }

    @Sendable func revealPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        struct Out: Encodable { let password: String }
        return try JSON.response(Out(password: try await PartnerPasswordService(runtime.deps).reveal(try context.parameters.require("id"), by: user)))
    }

    @Sendable func rotatePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let (record, password) = try await PartnerPasswordService(runtime.deps).rotate(try context.parameters.require("id"), by: user)
        return try JSON.response(PasswordDTO(id: record.id, partner: record.partner, purpose: record.purpose,
                                             createdAt: ISODate.format(record.createdAt), rotateBy: ISODate.format(record.rotateBy),
                                             rotationDue: false, password: password), status: .created)
    }

    /// The organisation's register of disclosures: information governance officers and administrators only.
    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard user.has(.igOfficer) || user.has(.admin) else {
            throw SafehavenError.forbidden("not_permitted", "Only information governance officers and administrators can read the register.")
        }
        struct Row: Encodable {
            let id: String
            let at: String
            let method: String
            let reason: String
            let informationType: String
            let authorisedBy: String?
            let recordedBy: String
            let shareId: String?
            let recipientName: String
            let recipientJobTitle: String
            let recipientOrganisation: String
            let recipientPhone: String
            let recipientEmail: String
        }
        struct Out: Encodable { let disclosures: [Row] }
        let rows = try await runtime.store.read { try await $0.disclosures(organisationID: user.organisationID) }
        return try JSON.response(Out(disclosures: rows.map {
            Row(id: $0.id, at: ISODate.format($0.at), method: $0.method.rawValue, reason: $0.reason, informationType: $0.informationType,
                authorisedBy: $0.authorisedBy, recordedBy: $0.recordedBy, shareId: $0.shareID, recipientName: $0.recipientName,
                recipientJobTitle: $0.recipientJobTitle, recipientOrganisation: $0.recipientOrganisation, recipientPhone: $0.recipientPhone,
                recipientEmail: $0.recipientEmail)
        }))
    }
}
