import Foundation
import Hummingbird
import SafehavenCore

/// Per-request state: Hummingbird's core storage plus who is signed in.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `BearerAuthMiddleware` on protected routes.
    public var user: User?
    public var token: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// JSON bodies are small; share uploads stream and are limited separately.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// The signed-in user; only called behind `BearerAuthMiddleware`.
    func requireUser() throws -> User {
        guard let user else { throw SafehavenError.unauthenticated }
        return user
    }
}
