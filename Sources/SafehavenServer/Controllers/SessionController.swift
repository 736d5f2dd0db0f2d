import Foundation
import Hummingbird
import Metrics
import SafehavenCore

/// Sign-in and sign-out: `POST /api/v1/sessions`, `DELETE /api/v1/sessions/current`.
struct SessionController {
    let runtime: Runtime

    struct LoginRequest: Decodable {
        let email: String
        let password: String
        let totp: String?
    }

    struct LoginResponse: Encodable {
        let token: String
        let expiresAt: String
    }

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("sessions", use: login)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.delete("sessions/current", use: logout)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSON.decode(LoginRequest.self, from: request, limit: 16 * 1024)
        do {
            let issued = try await runtime.auth.login(email: body.email, password: body.password, totp: body.totp)
            return try JSON.response(LoginResponse(token: issued.token, expiresAt: ISODate.format(issued.record.expiresAt)), status: .created)
        } catch let error as SafehavenError {
            Counter(label: "safehaven_login_failures_total").increment()
            throw error
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let token = context.token else { throw SafehavenError.unauthenticated }
        try await runtime.auth.revoke(token, by: user)
        return Response(status: .noContent)
    }
}

/// The signed-in user's own account: `GET /api/v1/account`, TOTP enrolment.
struct AccountController {
    let runtime: Runtime

    struct AccountDTO: Encodable {
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
    struct Enabled: Encodable { let totpEnabled: Bool }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("account", use: show)
        group.post("account/totp", use: beginTOTP)
        group.post("account/totp/confirm", use: confirmTOTP)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let org = try await runtime.store.read { try await $0.organisation(id: user.organisationID) }
        return try JSON.response(AccountDTO(
            id: user.id, email: user.email, name: user.name, jobTitle: user.jobTitle, department: user.department,
            phone: user.phone, organisation: org?.name, roles: user.roles.map(\.rawValue), totpEnabled: user.totpEnabled))
    }

    @Sendable func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try JSON.response(try await runtime.auth.beginTOTP(for: user), status: .created)
    }

    @Sendable func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await JSON.decode(CodeRequest.self, from: request, limit: 4096)
        try await runtime.auth.confirmTOTP(for: user, code: body.code)
        return try JSON.response(Enabled(totpEnabled: true))
    }
}
