import Foundation
import Hummingbird
import Logging
import NIOCore
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage

/// The web interface: server-rendered pages over the same services as the API, signed in with a
/// cookie session. Works without JavaScript; every form carries a token derived from the session.
/// The pages themselves live in the extensions named for what they hold.
struct WebController {
    let runtime: Runtime
    let pages: PageRenderer
    var auth: AuthService { runtime.auth }
    var shares: ShareService { runtime.shares }
    var secure: Bool { runtime.config.isHTTPS }

    /// Pages allow their own stylesheet and script and nothing else: no inline script or style.
    static let pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        addSignInRoutes(to: group)
        addShareRoutes(to: group)
        addComposeRoutes(to: group)
        addAccountRoutes(to: group)
        addRulesRoutes(to: group)
        addAdminRoutes(to: group)
        addInvitationRoutes(to: group)
        addRecordRoutes(to: group)
        addPeopleRoutes(to: group)
        addRecordBookRoutes(to: group)
        group.get("/assets/app.css") { _, _ in try Self.asset("app", "css", type: "text/css; charset=utf-8") }
        group.get("/assets/app.js") { _, _ in try Self.asset("app", "js", type: "text/javascript; charset=utf-8") }
        group.get("/favicon.ico") { _, _ in Response(status: .noContent) }
    }

    // MARK: rendering

    /// Draws a page from its view model inside the frame (header, navigation, footer).
    func render<Model: PageModel>(_ model: Model, context: AppRequestContext, status: HTTPResponse.Status = .ok,
                                  headers extra: HTTPFields = [:]) throws -> Response {
        var frame = PageFrame(requestID: context.id)
        if let identity = context.identity, let token = identity.webToken, !identity.user.mustChangePassword {
            frame.signedIn = true
            frame.csrf = AuthService.formToken(forSession: token)
            frame.userName = identity.user.name
            frame.isAdmin = identity.user.has(.admin) || identity.user.has(.serviceAdmin)
            frame.canCompose = !identity.user.has(.external)
        } else if let token = context.identity?.webToken {
            frame.csrf = AuthService.formToken(forSession: token)
        }
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = Self.pagePolicy
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        let html = try pages.render(Model.template, RenderedPage(page: model, frame: frame, title: model.title))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// A safe message and the request id; never internals.
    func errorPage(_ error: Error, context: AppRequestContext) throws -> Response {
        let e = error as? SafehavenError ?? SafehavenError(.unavailable, code: "internal_error", message: "Something went wrong on our side.")
        if !(error is SafehavenError) { context.logger.error("page failed", metadata: ["error": "\(type(of: error))"]) }
        let status = ErrorMiddleware.status(e.kind)
        let heading = status == .notFound ? "Page not found" : status == .gone ? "No longer available" : "There is a problem"
        return try render(ErrorPage(title: heading, message: e.message), context: context, status: status)
    }

    /// Runs a page's work and turns any failure into an error page.
    func page(_ context: AppRequestContext, _ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch { return try errorPage(error, context: context) }
    }

    /// Signed-in pages: the person, or nil when they must sign in first. Someone with a one-time
    /// password is treated as signed out everywhere except the page to change it.
    func signedIn(_ context: AppRequestContext) -> User? {
        guard context.identity?.webToken != nil, let user = context.identity?.user, !user.mustChangePassword else { return nil }
        return user
    }

    /// Where a request without a usable session goes.
    func gate(_ context: AppRequestContext) -> Response {
        redirect(context.identity?.user.mustChangePassword == true && context.identity?.webToken != nil ? "/account/password" : "/sign-in")
    }

    /// A signed-in page: runs `body` with the person, sends others to sign in, draws failures as pages.
    func member(_ context: AppRequestContext, setup: Bool = false, _ body: (User) async throws -> Response) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        if !setup, let setUp = needsSecondFactor(user) { return setUp }
        return try await page(context) { try await body(user) }
    }

    /// Pages for the staff of member organisations: people invited from outside read and reply
    /// to what was sent to them and nothing more, so for them these pages do not exist.
    func staff(_ context: AppRequestContext, _ body: (User) async throws -> Response) async throws -> Response {
        try await member(context) { user in
            guard !user.has(.external) else { throw SafehavenError.notFound }
            return try await body(user)
        }
    }

    func staffPost(_ request: Request, _ context: AppRequestContext, _ body: (User, [String: String]) async throws -> Response) async throws -> Response {
        try await post(request, context) { user, fields in
            guard !user.has(.external) else { throw SafehavenError.notFound }
            return try await body(user, fields)
        }
    }

    /// Someone invited from outside sees nothing until their authenticator app is set up.
    func needsSecondFactor(_ user: User) -> Response? {
        user.has(.external) && !user.totpEnabled ? redirect("/account/totp") : nil
    }

    /// A signed-in form post: the form's fields after its token has been checked.
    func post(_ request: Request, _ context: AppRequestContext, setup: Bool = false,
              _ body: (User, [String: String]) async throws -> Response) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        if !setup, let setUp = needsSecondFactor(user) { return setUp }
        return try await page(context) {
            let fields = try await FormBody.decode(request)
            try checkForm(fields, context: context)
            return try await body(user, fields)
        }
    }

    /// Every form post must carry the token derived from this session.
    func checkForm(_ fields: [String: String], context: AppRequestContext) throws {
        guard let token = context.identity?.webToken,
              Tokens.constantTimeEqual(fields["csrf"] ?? "", AuthService.formToken(forSession: token)) else {
            throw SafehavenError.forbidden("form_expired", "This form has expired. Go back, reload the page and try again.")
        }
    }

    /// Before there is a session, a random value in a short-lived cookie and in the form guards
    /// a form (sign-in, an invitation) against being posted from another site.
    func formGuard() -> (token: String, headers: HTTPFields) {
        let token = Encoding.hex(runtime.deps.random.bytes(16))
        var headers = HTTPFields()
        headers[.setCookie] = WebSession.cookie(WebSession.formCookieName, token, secure: secure, maxAge: 3600)
        return (token, headers)
    }

    /// Whether a form posted before there is a session carries the value of its cookie.
    func formGuardHolds(_ request: Request, _ fields: [String: String]) -> Bool {
        guard let cookie = WebSession.value(WebSession.formCookieName, in: request), !cookie.isEmpty else { return false }
        return Tokens.constantTimeEqual(cookie, fields["csrf"] ?? "")
    }

    static func asset(_ name: String, _ ext: String, type: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "static"),
              let data = try? Data(contentsOf: url) else { throw SafehavenError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
