import Foundation
import Hummingbird
import SafehavenCore
import SafehavenCrypto

/// People invited from outside: the link shows a form and changes nothing (mail scanners open
/// every link, some even submit forms); only a complete, valid form uses it up. Then they sign in
/// and must set up an authenticator app before they see anything.
extension WebController {
    func addInvitationRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/invitations/:token", use: invitationPage)
        group.post("/invitations/:token", use: acceptInvitation)
        group.post("/shares/:id/invitations/resend", use: resendInvitation)
        group.post("/shares/:id/invitations/withdraw", use: withdrawInvitation)
    }

    func invitationForm(_ opened: InvitationService.Opened, token: String, fields: [String: String] = [:], errors: [FieldError] = [],
                        context: AppRequestContext) throws -> Response {
        let guardian = formGuard()
        return try render(InvitationPage(token: token, formToken: guardian.token, email: opened.invitation.email,
                                         sender: WebFormat.person(opened.sender), marking: opened.marking,
                                         expires: WebFormat.date(opened.invitation.expiresAt), name: fields["name"] ?? "",
                                         jobTitle: fields["jobTitle"] ?? "", organisation: fields["organisation"] ?? "",
                                         phone: fields["phone"] ?? "", errors: errors),
                          context: context, headers: guardian.headers)
    }

    @Sendable func invitationPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(context) {
            let token = try context.parameters.require("token")
            return try invitationForm(try await runtime.invitations.open(token), token: token, context: context)
        }
    }

    @Sendable func acceptInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(context) {
            let token = try context.parameters.require("token")
            let opened = try await runtime.invitations.open(token)
            let fields = try await FormBody.decode(request)
            guard formGuardHolds(request, fields) else {
                return try invitationForm(opened, token: token, fields: fields,
                                          errors: [.init(field: "name", message: "The form expired. Try again.")], context: context)
            }
            var errors: [FieldError] = []
            for (field, label) in [("name", "Enter your full name"), ("jobTitle", "Enter your job title"),
                                   ("organisation", "Enter your organisation"), ("phone", "Enter a work telephone number")]
                where (fields[field] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                errors.append(.init(field: field, message: label))
            }
            if (fields["password"] ?? "").isEmpty { errors.append(.init(field: "password", message: "Choose a password")) }
            else if fields["password"] != fields["confirm"] { errors.append(.init(field: "confirm", message: "The two passwords are not the same")) }
            if !errors.isEmpty { return try invitationForm(opened, token: token, fields: fields, errors: errors, context: context) }
            let user: User
            do {
                user = try await runtime.invitations.accept(token, .init(name: fields["name"] ?? "", jobTitle: fields["jobTitle"] ?? "",
                                                                         organisation: fields["organisation"] ?? "", phone: fields["phone"] ?? "",
                                                                         password: fields["password"] ?? ""))
            } catch let error as SafehavenError where error.kind == .unprocessable || error.kind == .badRequest {
                let field = ComposeState.field(for: error).map(Self.camel) ?? "password"
                return try invitationForm(opened, token: token, fields: fields, errors: [.init(field: field, message: error.message)], context: context)
            }
            let issued = try await auth.login(email: user.email, password: fields["password"] ?? "", totp: nil, source: context.sourceAddress, kind: .web)
            var headers = HTTPFields()
            headers[values: .setCookie] = [WebSession.cookie(WebSession.cookieName, issued.token, secure: secure),
                                           WebSession.clearing(WebSession.formCookieName, secure: secure)]
            return redirect("/account/totp", headers: headers)
        }
    }

    @Sendable func resendInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, fields in
            let id = try context.parameters.require("id")
            try await runtime.invitations.resend(id, email: fields["email"] ?? "", by: user)
            return redirect("/shares/\(id)")
        }
    }

    @Sendable func withdrawInvitation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, fields in
            let id = try context.parameters.require("id")
            try await runtime.invitations.withdraw(id, email: fields["email"] ?? "", by: user)
            return redirect("/shares/\(id)")
        }
    }
}
