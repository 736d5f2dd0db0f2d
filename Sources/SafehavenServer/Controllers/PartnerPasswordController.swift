import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/archive-passwords`: passwords agreed with regular partners for archive exchanges.
struct PartnerPasswordController {
    let passwords: PartnerPasswordService

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.createPartnerPassword, use: create)
        group.on(.listPartnerPasswords, use: list)
        group.on(.revealPartnerPassword, use: reveal)
        group.on(.rotatePartnerPassword, use: rotate)
    }

    struct PasswordRequest: Decodable {
        let partner: String
        let purpose: String
        let password: String?
        let rotateDays: Int?
    }

    struct PasswordDTO: ResponseEncodable {
        let id: String
        let partner: String
        let purpose: String
        let createdAt: String
        let rotateBy: String
        let rotationDue: Bool
        /// Only when it is shown: on creation (if generated), rotation and reveal.
        let password: String?

        init(_ record: PartnerPassword, rotationDue: Bool, password: String?) {
            id = record.id
            partner = record.partner
            purpose = record.purpose
            createdAt = ISODate.format(record.createdAt)
            rotateBy = ISODate.format(record.rotateBy)
            self.rotationDue = rotationDue
            self.password = password
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PasswordDTO> {
        let user = try context.requireUser()
        let body = try await request.decode(as: PasswordRequest.self, context: context)
        let (record, password) = try await passwords.create(
            partner: body.partner, purpose: body.purpose, password: body.password, rotateDays: body.rotateDays, by: user)
        return EditedResponse(status: .created, response: PasswordDTO(record, rotationDue: false, password: body.password == nil ? password : nil))
    }

    struct PasswordListDTO: ResponseEncodable { let passwords: [PasswordDTO] }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PasswordListDTO {
        let user = try context.requireUser()
        let listed = try await passwords.list(for: user)
        return PasswordListDTO(passwords: listed.map { PasswordDTO($0.record, rotationDue: $0.rotationDue, password: nil) })
    }

    struct RevealedDTO: ResponseEncodable { let password: String }

    @Sendable func reveal(_ request: Request, context: AppRequestContext) async throws -> RevealedDTO {
        let user = try context.requireUser()
        return RevealedDTO(password: try await passwords.reveal(try context.parameters.require("id"), by: user))
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PasswordDTO> {
        let user = try context.requireUser()
        let (record, password) = try await passwords.rotate(try context.parameters.require("id"), by: user)
        return EditedResponse(status: .created, response: PasswordDTO(record, rotationDue: false, password: password))
    }
}
