import Foundation
import Hummingbird
import Logging
import NIOCore
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage

/// The web interface: server-rendered pages over the same services as the API, signed in with a
/// cookie session. Works without JavaScript; every form carries a token derived from the session.
struct WebController {
    let runtime: Runtime
    let pages: PageRenderer
    var auth: AuthService { runtime.auth }
    var shares: ShareService { runtime.shares }
    var secure: Bool { runtime.config.isHTTPS }

    /// Pages allow their own stylesheet and nothing else: no script, no inline style.
    static let pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/", use: home)
        group.get("/sign-in", use: signInPage)
        group.post("/sign-in", use: signIn)
        group.post("/sign-out", use: signOut)
        group.get("/inbox") { request, context in try await list(.inbox, request: request, context: context) }
        group.get("/sent") { request, context in try await list(.sent, request: request, context: context) }
        group.get("/shares/:id", use: share)
        group.get("/shares/:id/files/:fileId", use: download)
        group.post("/shares/:id/receipt", use: confirmReceipt)
        group.get("/shares/:id/revoke", use: revokePage)
        group.post("/shares/:id/revoke", use: revoke)
        group.get("/account", use: accountPage)
        group.post("/account/sign-out-everywhere", use: signOutEverywhere)
        group.get("/account/totp", use: totpPage)
        group.post("/account/totp", use: beginTOTP)
        group.post("/account/totp/confirm", use: confirmTOTP)
        group.get("/account/password", use: passwordPage)
        group.post("/account/password", use: changePassword)
        group.get("/assets/app.css", use: stylesheet)
        group.get("/favicon.ico") { _, _ in Response(status: .noContent) }
    }

    // MARK: rendering

    func html(_ template: String, title: String, context: AppRequestContext, status: HTTPResponse.Status = .ok,
              _ values: [String: Any] = [:], headers extra: HTTPFields = [:]) throws -> Response {
        var all = values
        all["title"] = title
        all["requestID"] = context.id
        if let identity = context.identity, let token = identity.webToken {
            all["signedIn"] = true
            all["csrf"] = AuthService.formToken(forSession: token)
            all["userName"] = identity.user.name
        }
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = Self.pagePolicy
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try pages.render(template, all))))
    }

    /// What the error-summary partial needs: whether there are errors, and each field with its message.
    static func errorValues(_ errors: [(field: String, message: String)]) -> [String: Any] {
        ["hasErrors": !errors.isEmpty, "errors": errors.map { ["field": $0.field, "message": $0.message] }]
    }

    func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    func errorPage(_ error: Error, context: AppRequestContext) throws -> Response {
        let e = error as? SafehavenError ?? SafehavenError(.unavailable, code: "internal_error", message: "Something went wrong on our side.")
        if !(error is SafehavenError) { context.logger.error("page failed", metadata: ["error": "\(error)"]) }
        let status = ErrorMiddleware.status(e.kind)
        let heading = status == .notFound ? "Page not found" : status == .gone ? "No longer available" : "There is a problem"
        return try html("error", title: heading, context: context, status: status, ["heading": heading, "message": e.message])
    }

    /// Signed-in pages: the person, or a redirect to sign in. Someone with a one-time password is
    /// treated as signed out everywhere except the page to change it.
    func signedIn(_ context: AppRequestContext) -> User? {
        guard context.identity?.webToken != nil, let user = context.identity?.user, !user.mustChangePassword else { return nil }
        return user
    }

    /// Where a request without a usable session goes.
    func gate(_ context: AppRequestContext) -> Response {
        redirect(context.identity?.user.mustChangePassword == true && context.identity?.webToken != nil ? "/account/password" : "/sign-in")
    }

    /// Every form post must carry the token derived from this session.
    func checkForm(_ fields: [String: String], context: AppRequestContext) throws {
        guard let token = context.identity?.webToken,
              Tokens.constantTimeEqual(fields["csrf"] ?? "", AuthService.formToken(forSession: token)) else {
            throw SafehavenError.forbidden("form_expired", "This form has expired. Go back, reload the page and try again.")
        }
    }

    // MARK: pages

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        signedIn(context) == nil ? gate(context) : redirect("/inbox")
    }

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if signedIn(context) != nil { return redirect("/inbox") }
        return try signInForm(context: context, email: "", errors: [])
    }

    func signInForm(context: AppRequestContext, email: String, errors: [(String, String)], status: HTTPResponse.Status = .ok) throws -> Response {
        let formToken = Encoding.hex(runtime.deps.random.bytes(16))
        var headers = HTTPFields()
        headers[.setCookie] = WebSession.cookie(WebSession.formCookieName, formToken, secure: secure, maxAge: 3600)
        return try html("sign-in", title: errors.isEmpty ? "Sign in" : "Error: Sign in", context: context, status: status,
                        ["formToken": formToken, "email": email].merging(Self.errorValues(errors)) { $1 }, headers: headers)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.decode(request)
        let email = fields["email"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard let cookie = WebSession.value(WebSession.formCookieName, in: request), !cookie.isEmpty,
              Tokens.constantTimeEqual(cookie, fields["csrf"] ?? "") else {
            return try signInForm(context: context, email: email, errors: [("email", "The sign-in form expired. Try again.")], status: .forbidden)
        }
        var errors: [(String, String)] = []
        if email.isEmpty { errors.append(("email", "Enter your email address")) }
        if (fields["password"] ?? "").isEmpty { errors.append(("password", "Enter your password")) }
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
            return try signInForm(context: context, email: email, errors: [("email", error.message)])
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await FormBody.decode(request)
        if let identity = context.identity, identity.webToken != nil {
            try checkForm(fields, context: context)
            try await auth.revoke(identity.token, by: identity.user)
        }
        var headers = HTTPFields()
        headers[.setCookie] = WebSession.clearing(WebSession.cookieName, secure: secure)
        return redirect("/sign-in", headers: headers)
    }

    func list(_ box: ShareListQuery.Box, request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        do {
            let page = try await shares.list(box, for: user, limit: 25, cursor: request.uri.queryParameters["cursor"].map(String.init))
            let now = runtime.deps.clock.now()
            let rows: [[String: Any]] = page.items.map { item in
                let status = Self.status(item.share, unread: item.unread, now: now)
                return ["id": item.share.id, "subject": item.share.subject,
                        "party": box == .inbox ? "\(item.sender.name), \(item.sender.organisation ?? "")" : item.recipients.joined(separator: ", "),
                        "sent": Self.date(item.share.createdAt), "status": status.0, "statusClass": status.1]
            }
            let heading = box == .inbox ? "Inbox" : "Sent"
            return try html("share-list", title: heading, context: context, [
                "heading": heading, "otherParty": box == .inbox ? "From" : "To", "hasShares": !rows.isEmpty, "shares": rows,
                "next": page.next.map { "/\(box == .inbox ? "inbox" : "sent")?cursor=\($0.token)" } as Any,
            ])
        } catch {
            return try errorPage(error, context: context)
        }
    }

    /// A status in words, and the style for it: new, read, expiring (within two days), revoked…
    static func status(_ share: Share, unread: Bool?, now: Date) -> (String, String) {
        switch share.status(at: now) {
        case .revoked: return ("Withdrawn", "revoked")
        case .expired: return ("Expired", "expired")
        case .destroyed: return ("Destroyed", "destroyed")
        case .active:
            if share.expiresAt.timeIntervalSince(now) < 2 * 86_400 { return ("Expiring", "expiring") }
            return unread == true ? ("New", "new") : ("Read", "read")
        }
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "Europe/London")
        formatter.dateFormat = "d MMMM yyyy, HH:mm"
        return formatter.string(from: date)
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)
    }

    @Sendable func share(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        do {
            let detail = try await shares.open(try context.parameters.require("id"), by: user)
            let share = detail.share
            let now = runtime.deps.clock.now()
            let status = Self.status(share, unread: nil, now: now)
            let downloadable = !(share.viewOnly && !detail.viewerIsSender) && share.status(at: now) == .active
            var timeline: [[String: Any]] = []
            if detail.viewerIsSender {
                let report = try await shares.tracking(share.id, by: user)
                timeline = report.recipients.map { recipient, events in
                    ["email": recipient.email, "events": events.map { ["what": Self.describe($0.type), "when": Self.date($0.at)] }]
                }
            }
            return try html("share", title: share.subject, context: context, [
                "isSender": detail.viewerIsSender, "recipients": timeline,
                "canRevoke": detail.viewerIsSender && share.status(at: now) == .active,
                "id": share.id, "subject": share.subject, "marking": share.marking.rawValue,
                "sender": detail.sender.map { "\($0.name), \($0.organisation ?? "")" } ?? "",
                "sent": Self.date(share.createdAt), "status": status.0, "statusClass": status.1,
                "purpose": share.purpose, "handling": share.handling, "message": detail.message as Any,
                "hasFiles": !detail.files.isEmpty, "viewOnly": share.viewOnly && !detail.viewerIsSender,
                "files": detail.files.map { ["id": $0.id, "shareID": share.id, "name": $0.name, "size": Self.size($0.size), "downloadable": downloadable] },
                "canConfirm": detail.viewer != nil && share.requireReceipt && detail.viewer?.receiptAt == nil,
                "receiptConfirmed": detail.viewer?.receiptAt.map(Self.date) as Any,
            ], headers: [.cacheControl: "no-store"])
        } catch {
            return try errorPage(error, context: context)
        }
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let download: FileDownload
        do {
            download = try await shares.download(try context.parameters.require("id"), fileID: try context.parameters.require("fileId"), by: user)
        } catch {
            return try errorPage(error, context: context)
        }
        return ShareController.stream(download, logger: context.logger)
    }

    /// What a tracking event means, for a person.
    static func describe(_ type: TrackingType) -> String {
        switch type {
        case .announced: return "Told a share is waiting"
        case .opened: return "Opened"
        case .downloaded: return "Downloaded a file"
        case .downloadFailed: return "A download failed its integrity check"
        case .receiptConfirmed: return "Confirmed receipt"
        case .replied: return "Replied"
        case .deleted: return "Removed it from their inbox"
        case .revoked: return "Withdrawn"
        case .expired: return "Expired"
        case .destroyed: return "Content destroyed"
        }
    }

    @Sendable func revokePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        do {
            let detail = try await shares.open(try context.parameters.require("id"), by: user)
            guard detail.viewerIsSender else { throw SafehavenError.notFound }
            return try html("revoke", title: "Withdraw this share", context: context, ["id": detail.share.id, "subject": detail.share.subject])
        } catch {
            return try errorPage(error, context: context)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        do {
            try checkForm(try await FormBody.decode(request), context: context)
            let summary = try await shares.revoke(try context.parameters.require("id"), by: user)
            return try html("revoked", title: "Share withdrawn", context: context, ["subject": summary.share.subject])
        } catch {
            return try errorPage(error, context: context)
        }
    }

    @Sendable func confirmReceipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let id = try context.parameters.require("id")
        do {
            try checkForm(try await FormBody.decode(request), context: context)
            _ = try await shares.confirmReceipt(id, by: user)
            return redirect("/shares/\(id)")
        } catch {
            return try errorPage(error, context: context)
        }
    }

    // MARK: the account

    @Sendable func accountPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let organisation = try await runtime.directory.organisation(of: user)
        return try html("account", title: "Your account", context: context, [
            "name": user.name, "email": user.email, "organisation": organisation?.name ?? "", "jobTitle": user.jobTitle,
            "totp": user.totpEnabled,
        ])
    }

    /// Ends every session and token of the account, this one included.
    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        do { try checkForm(try await FormBody.decode(request), context: context) } catch { return try errorPage(error, context: context) }
        try await auth.signOutEverywhere(user)
        var headers = HTTPFields()
        headers[.setCookie] = WebSession.clearing(WebSession.cookieName, secure: secure)
        return redirect("/sign-in", headers: headers)
    }

    // MARK: the second factor

    func totpForm(context: AppRequestContext, values: [String: Any], errors: [(String, String)] = []) throws -> Response {
        let all = values.merging(Self.errorValues(errors)) { $1 }
        return try html("totp", title: errors.isEmpty ? "Authenticator app" : "Error: Authenticator app", context: context, all,
                        headers: [.cacheControl: "no-store"])
    }

    @Sendable func totpPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        return try totpForm(context: context, values: ["enabled": user.totpEnabled, "start": !user.totpEnabled])
    }

    /// The password again, then a new secret: shown as a QR code drawn on the server and as text.
    @Sendable func beginTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let fields = try await FormBody.decode(request)
        do { try checkForm(fields, context: context) } catch { return try errorPage(error, context: context) }
        do {
            let enrolment = try await auth.beginTOTP(for: user, password: fields["password"] ?? "")
            let grouped = stride(from: 0, to: enrolment.secret.count, by: 4).map { i -> String in
                let start = enrolment.secret.index(enrolment.secret.startIndex, offsetBy: i)
                return String(enrolment.secret[start..<(enrolment.secret.index(start, offsetBy: 4, limitedBy: enrolment.secret.endIndex) ?? enrolment.secret.endIndex)])
            }.joined(separator: " ")
            let qr = try QRCode(enrolment.uri).svg(label: "QR code to add Safehaven to your authenticator app")
            return try totpForm(context: context, values: ["enrol": true, "qr": qr, "secret": grouped])
        } catch let error as SafehavenError {
            return try totpForm(context: context, values: ["start": !user.totpEnabled, "enabled": user.totpEnabled],
                                errors: [("password", error.message)])
        }
    }

    @Sendable func confirmTOTP(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let fields = try await FormBody.decode(request)
        do { try checkForm(fields, context: context) } catch { return try errorPage(error, context: context) }
        do {
            let codes = try await auth.confirmTOTP(for: user, code: (fields["code"] ?? "").filter(\.isNumber))
            return try totpForm(context: context, values: ["enabled": true, "hasCodes": true, "codes": codes])
        } catch let error as SafehavenError {
            return try totpForm(context: context, values: ["start": true], errors: [("password", error.message + " Start again.")])
        }
    }

    func passwordForm(context: AppRequestContext, errors: [(String, String)]) throws -> Response {
        try html("change-password", title: errors.isEmpty ? "Change your password" : "Error: Change your password", context: context,
                 ["mustChange": context.identity?.user.mustChangePassword == true].merging(Self.errorValues(errors)) { $1 })
    }

    @Sendable func passwordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.identity?.webToken != nil else { return redirect("/sign-in") }
        return try passwordForm(context: context, errors: [])
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, identity.webToken != nil else { return redirect("/sign-in") }
        let fields = try await FormBody.decode(request)
        do { try checkForm(fields, context: context) } catch { return try errorPage(error, context: context) }
        let current = fields["current"] ?? "", new = fields["new"] ?? "", confirm = fields["confirm"] ?? ""
        var errors: [(String, String)] = []
        if current.isEmpty { errors.append(("current", "Enter your current password")) }
        if new.isEmpty { errors.append(("new", "Enter a new password")) } else if new != confirm {
            errors.append(("confirm", "The two new passwords are not the same"))
        }
        if !errors.isEmpty { return try passwordForm(context: context, errors: errors) }
        do {
            try await auth.changePassword(for: identity.user, current: current, new: new, keeping: identity.token)
        } catch let error as SafehavenError {
            return try passwordForm(context: context, errors: [(error.code == "password_required" ? "current" : "new", error.message)])
        }
        return redirect("/inbox")
    }

    @Sendable func stylesheet(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let url = Bundle.module.url(forResource: "static/app", withExtension: "css") ?? Bundle.module.url(forResource: "app", withExtension: "css", subdirectory: "static"),
              let data = try? Data(contentsOf: url) else { throw SafehavenError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = "text/css; charset=utf-8"
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
