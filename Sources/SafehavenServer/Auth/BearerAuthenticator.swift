import Foundation
import Hummingbird
import HummingbirdAuth
import SafehavenCore

/// Recognises `Authorization: Bearer <token>`. A request with no such header passes on
/// unauthenticated; one with a wrong, expired or revoked token is refused at once.
struct BearerAuthenticator: AuthenticatorMiddleware {
    typealias Context = AppRequestContext
    let auth: AuthService

    func authenticate(request: Request, context: Context) async throws -> SignedIn? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw SafehavenError.unauthenticated }
        let (user, token) = try await auth.authenticate(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces))
        return SignedIn(user: user, token: token)
    }
}

/// Refuses a request that no authenticator recognised, with the API's own 401 body.
struct RequireSignIn: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else { throw SafehavenError.unauthenticated }
        // A one-time password opens only the way to change it.
        if identity.user.mustChangePassword,
           ![Endpoint.changePassword, .account, .signOut].contains(where: { $0.template == request.uri.path }) {
            throw SafehavenError.forbidden("password_change_required", "Change your one-time password first (POST /api/v1/account/password).")
        }
        return try await next(request, context)
    }
}
