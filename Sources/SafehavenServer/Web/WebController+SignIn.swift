import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage
import SafehavenCrypto

/// Signing in and out.
extension WebController {
    func addSignInRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/") { _, context in signedIn(context) == nil ? gate(context) : redirect("/inbox") }
        group.get("/sign-in", use: signInPage)
        group.post("/sign-in", use: signIn)
        group.post("/sign-out", use: signOut)
    }

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if signedIn(context) != nil { return redirect("/inbox") }
        return try signInForm(context: context, email: "", errors: [])
    }

    func signInForm(context: AppRequestContext, email: String, errors: [FieldError], status: HTTPResponse.Status = .ok) throws -> Response {
        let guardian = formGuard()
        return try render(SignInPage(formToken: guardian.token, email: email, errors: errors), context: context, status: status,
                          headers: guardian.headers)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.decode(request)
        let email = fields["email"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard formGuardHolds(request, fields) else {
            return try signInForm(context: context, email: email, errors: [.init(field: "email", message: "The sign-in form expired. Try again.")],
                                  status: .forbidden)
        }
        var errors: [FieldError] = []
        if email.isEmpty { errors.append(.init(field: "email", message: "Enter your email address")) }
        if (fields["password"] ?? "").isEmpty { errors.append(.init(field: "password", message: "Enter your password")) }
        if !errors.isEmpty { return try signInForm(context: context, email: email, errors: errors) }
        do {
            // Six digits from the app, or a one-time recovery code (letters and digits).
            let code = fields["code"].flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
            let issued = try await auth.login(email: email, password: fields["password"] ?? "", totp: code,
                                              source: context.sourceAddress, kind: .web)
            var headers = HTTPFields()
            headers[values: .setCookie] = [
                WebSession.cookie(WebSession.cookieName, issued.token, secure: secure),
                WebSession.clearing(WebSession.formCookieName, secure: secure),
            ]
            let user = try await runtime.store.read { try await $0.user(id: issued.record.userID) }
            return redirect(user?.mustChangePassword == true ? "/account/password" : "/inbox", headers: headers)
        } catch let error as SafehavenError {
            return try signInForm(context: context, email: email, errors: [.init(field: "email", message: error.message)])
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.decode(request)
        if let identity = context.identity, identity.webToken != nil {
            do { try checkForm(fields, context: context) } catch { return try errorPage(error, context: context) }
            try await auth.revoke(identity.token, by: identity.user)
        }
        var headers = HTTPFields()
        headers[.setCookie] = WebSession.clearing(WebSession.cookieName, secure: secure)
        return redirect("/sign-in", headers: headers)
    }
}
