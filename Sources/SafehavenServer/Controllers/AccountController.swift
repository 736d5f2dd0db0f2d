import Foundation
import Hummingbird
import SafehavenCore

/// The signed-in user's own account: `GET /api/v1/account`, TOTP enrolment.
struct AccountController {
    let auth: AuthService
    let directory: DirectoryService

    struct AccountDTO: ResponseEncodable {
        let id: String
        let email: String
        let name: String
        let jobTitle: String
        let department: String
        let phone: String
        let organisation: String?
        let roles: [String]
        let totpEnabled: Bool
    }

    struct CodeRequest: Decodable { let code: String }
    struct Enabled: ResponseEncodable { let totpEnabled: Bool }
    struct EnrolmentDTO: ResponseEncodable {
        let enrolment: AuthService.Enrolment
        func encode(to encoder: Encoder) throws { try enrolment.encode(to: encoder) }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.account, use: show)
        group.on(.beginTOTP, use: beginTOTP)
        group.on(.confirmTOTP, use: confirmTOTP)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> AccountDTO {
        let user = try context.requireUser()
        let org = try await directory.organisation(of: user)
        return AccountDTO(id: user.id, email: user.email, name: user.name, jobTitle: user.jobTitle, department: user.department,
                          phone: user.phone, organisation: org?.name, roles: user.roles.map(\.rawValue), totpEnabled: user.totpEnabled)
    }

    @Sendable func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<EnrolmentDTO> {
        let user = try context.requireUser()
        return EditedResponse(status: .created, response: EnrolmentDTO(enrolment: try await auth.beginTOTP(for: user)))
    }

    @Sendable func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Enabled {
        let user = try context.requireUser()
        let body = try await request.decode(as: CodeRequest.self, context: context)
        try await auth.confirmTOTP(for: user, code: body.code)
        return Enabled(totpEnabled: true)
    }
}
