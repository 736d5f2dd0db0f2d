import Foundation
import Hummingbird
import HummingbirdAuth
import NIOCore
import NIOHTTPTypes
import SafehavenCore

/// Who a request comes from, once an authenticator has recognised them.
public struct SignedIn: Sendable {
    public let user: User
    /// The bearer token or session the request came with; revoking it signs them out.
    public let token: AccessToken
    /// For a browser session, the cookie's secret (the form token is derived from it).
    public var webToken: String? = nil

    public init(user: User, token: AccessToken, webToken: String? = nil) {
        self.user = user
        self.token = token
        self.webToken = webToken
    }
}

/// Per-request state: Hummingbird's core storage plus who is signed in.
public struct AppRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by an authenticator (bearer token now, a session cookie for the web pages).
    public var identity: SignedIn?
    /// The client's IP address as the server saw it (the proxy's, behind one); used to throttle
    /// sign-ins, never logged.
    public let sourceAddress: String
    /// The connection, for the interim `100 Continue` answer (see `continueIfExpected`).
    let channel: any NIOCore.Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sourceAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.channel = source.channel
    }

    /// Answers `Expect: 100-continue` (RFC 9110 §10.1.1) with an interim `100 Continue`, so a
    /// client waiting for it (curl waits a second) sends its body at once. Called only once the
    /// request has been authenticated and its headers checked: anyone else gets the final refusal
    /// instead and never sends the body.
    func continueIfExpected(_ request: Request) {
        guard request.headers[.expect]?.lowercased() == "100-continue" else { return }
        channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)), promise: nil)
    }

    /// JSON bodies are small; share uploads stream and are limited separately.
    public var maxUploadSize: Int { 1024 * 1024 }

    public var requestDecoder: SafehavenRequestDecoder { SafehavenRequestDecoder() }
    public var responseEncoder: SafehavenResponseEncoder { SafehavenResponseEncoder() }

    /// The signed-in user; routes behind `RequireSignIn` always have one.
    func requireUser() throws -> User {
        guard let identity else { throw SafehavenError.unauthenticated }
        return identity.user
    }
}
