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
    struct PasswordRequest: Decodable { let password: String }
    struct ChangePasswordRequest: Decodable {
        let currentPassword: String
        let newPassword: String
    }
    struct Changed: ResponseEncodable { let changed: Bool }
    struct TokenDTO: Encodable {
        let id: String
        let kind: String
        let createdAt: String
        let expiresAt: String
        let current: Bool
    }
    struct TokenList: ResponseEncodable { let tokens: [TokenDTO] }
    struct Enabled: ResponseEncodable {
        let totpEnabled: Bool
        /// Shown once, when the second factor is turned on.
        var recoveryCodes: [String]? = nil
    }
    struct EnrolmentDTO: ResponseEncodable {
        let enrolment: AuthService.Enrolment
        func encode(to encoder: Encoder) throws { try enrolment.encode(to: encoder) }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.account, use: show)
        group.on(.beginTOTP, use: beginTOTP)
        group.on(.confirmTOTP, use: confirmTOTP)
        group.on(.disableTOTP, use: disableTOTP)
        group.on(.changePassword, use: changePassword)
        group.on(.listTokens, use: listTokens)
        group.on(.revokeToken, use: revokeToken)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> AccountDTO {
        let user = try context.requireUser()
        let org = try await directory.organisation(of: user)
        return AccountDTO(id: user.id, email: user.email, name: user.name, jobTitle: user.jobTitle, department: user.department,
                          phone: user.phone, organisation: org?.name, roles: user.roles.map(\.rawValue), totpEnabled: user.totpEnabled)
    }

    @Sendable func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<EnrolmentDTO> {
        let user = try context.requireUser()
        let body = try await request.decode(as: PasswordRequest.self, context: context)
        return EditedResponse(status: .created, response: EnrolmentDTO(enrolment: try await auth.beginTOTP(for: user, password: body.password)))
    }

    @Sendable func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Enabled {
        let user = try context.requireUser()
        let body = try await request.decode(as: CodeRequest.self, context: context)
        let codes = try await auth.confirmTOTP(for: user, code: body.code)
        return Enabled(totpEnabled: true, recoveryCodes: codes)
    }

    @Sendable func disableTOTP(_ request: Request, context: AppRequestContext) async throws -> Enabled {
        let user = try context.requireUser()
        let body = try await request.decode(as: PasswordRequest.self, context: context)
        try await auth.disableTOTP(for: user, password: body.password)
        return Enabled(totpEnabled: false)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Changed {
        let user = try context.requireUser()
        let body = try await request.decode(as: ChangePasswordRequest.self, context: context)
        try await auth.changePassword(for: user, current: body.currentPassword, new: body.newPassword, keeping: context.identity?.token)
        return Changed(changed: true)
    }

    @Sendable func listTokens(_ request: Request, context: AppRequestContext) async throws -> TokenList {
        let user = try context.requireUser()
        let current = context.identity?.token.id
        return TokenList(tokens: try await auth.tokens(of: user).map {
            TokenDTO(id: $0.id, kind: $0.kind.rawValue, createdAt: ISODate.format($0.createdAt), expiresAt: ISODate.format($0.expiresAt),
                     current: $0.id == current)
        })
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        try await auth.revokeToken(id: try context.parameters.require("id"), of: user)
        return .noContent
    }
}
