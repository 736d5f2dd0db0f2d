import Foundation
import Hummingbird
import Metrics
import SafehavenCore

/// Sign-in and sign-out: `POST /api/v1/sessions`, `DELETE /api/v1/sessions/current`.
struct SessionController {
    let auth: AuthService

    struct LoginRequest: Decodable {
        let email: String
        let password: String
        let totp: String?
    }

    struct LoginResponse: ResponseEncodable {
        let token: String
        let expiresAt: String
    }

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.signIn, use: login)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.signOut, use: logout)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<LoginResponse> {
        let body = try await request.decode(as: LoginRequest.self, context: context)
        do {
            let issued = try await auth.login(email: body.email, password: body.password, totp: body.totp, source: context.sourceAddress)
            return EditedResponse(status: .created, response: LoginResponse(token: issued.token, expiresAt: ISODate.format(issued.record.expiresAt)))
        } catch let error as SafehavenError {
            Counter(label: "safehaven_login_failures_total").increment()
            throw error
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        guard let identity = context.identity else { throw SafehavenError.unauthenticated }
        try await auth.revoke(identity.token, by: identity.user)
        return .noContent
    }
}
