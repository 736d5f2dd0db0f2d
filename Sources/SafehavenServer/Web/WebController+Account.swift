import Foundation
import Hummingbird
import SafehavenCore

/// The person's own account: details, password, authenticator app, signing out everywhere.
extension WebController {
    func addAccountRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/account", use: accountPage)
        group.post("/account/sign-out-everywhere", use: signOutEverywhere)
        group.get("/account/totp", use: totpPage)
        group.post("/account/totp", use: beginTOTP)
        group.post("/account/totp/confirm", use: confirmTOTP)
        group.get("/account/password", use: passwordPage)
        group.post("/account/password", use: changePassword)
    }

    @Sendable func accountPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let organisation = try await runtime.directory.organisation(of: user)
            return try render(AccountPage(name: user.name, email: user.email, organisation: organisation?.name ?? "",
                                          jobTitle: user.jobTitle, totp: user.totpEnabled), context: context)
        }
    }

    /// Ends every session and token of the account, this one included.
    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, _ in
            try await auth.signOutEverywhere(user)
            var headers = HTTPFields()
            headers[.setCookie] = WebSession.clearing(WebSession.cookieName, secure: secure)
            return redirect("/sign-in", headers: headers)
        }
    }

    @Sendable func totpPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context, setup: true) { user in
            try render(TOTPPage(enabled: user.totpEnabled, start: !user.totpEnabled, invited: user.has(.external) && !user.totpEnabled), context: context)
        }
    }

    /// The password again, then a new secret: shown as a QR code drawn on the server and as text.
    @Sendable func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, setup: true) { user, fields in
            do {
                let enrolment = try await auth.beginTOTP(for: user, password: fields["password"] ?? "")
                let secret = Array(enrolment.secret)
                let grouped = stride(from: 0, to: secret.count, by: 4).map { String(secret[$0..<min($0 + 4, secret.count)]) }.joined(separator: " ")
                let qr = try QRCode(enrolment.uri).svg(label: "QR code to add Safehaven to your authenticator app")
                return try render(TOTPPage(enrol: true, qr: qr, secret: grouped), context: context)
            } catch let error as SafehavenError {
                return try render(TOTPPage(enabled: user.totpEnabled, start: !user.totpEnabled,
                                           errors: [.init(field: "password", message: error.message)]), context: context)
            }
        }
    }

    @Sendable func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context, setup: true) { user, fields in
            do {
                let codes = try await auth.confirmTOTP(for: user, code: (fields["code"] ?? "").filter(\.isNumber))
                return try render(TOTPPage(enabled: true, codes: codes), context: context)
            } catch let error as SafehavenError {
                return try render(TOTPPage(start: true, errors: [.init(field: "password", message: error.message + " Start again.")]), context: context)
            }
        }
    }

    func passwordForm(context: AppRequestContext, errors: [FieldError]) throws -> Response {
        try render(ChangePasswordPage(mustChange: context.identity?.user.mustChangePassword == true, errors: errors), context: context)
    }

    @Sendable func passwordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.identity?.webToken != nil else { return redirect("/sign-in") }
        return try passwordForm(context: context, errors: [])
    }

    /// Open to someone who must change a one-time password (the only page that is).
    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.webToken != nil else { return redirect("/sign-in") }
        let fields = try await FormBody.decode(request)
        do { try checkForm(fields, context: context) } catch { return try errorPage(error, context: context) }
        let current = fields["current"] ?? "", new = fields["new"] ?? "", confirm = fields["confirm"] ?? ""
        var errors: [FieldError] = []
        if current.isEmpty { errors.append(.init(field: "current", message: "Enter your current password")) }
        if new.isEmpty { errors.append(.init(field: "new", message: "Enter a new password")) } else if new != confirm {
            errors.append(.init(field: "confirm", message: "The two new passwords are not the same"))
        }
        if !errors.isEmpty { return try passwordForm(context: context, errors: errors) }
        do {
            try await auth.changePassword(for: identity.user, current: current, new: new, keeping: identity.token)
        } catch let error as SafehavenError {
            return try passwordForm(context: context, errors: [.init(field: error.code == "password_required" ? "current" : "new", message: error.message)])
        }
        return redirect("/inbox")
    }
}
