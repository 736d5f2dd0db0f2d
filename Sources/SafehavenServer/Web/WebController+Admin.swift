import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage

/// Administration: organisations and their people, the routing profile, the audit trail.
/// Pages for people without an administrator role are not found, as in the API.
extension WebController {
    func addAdminRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/admin") { _, context in try await administrator(context) { try await adminHome($0, context: context) } }
        group.post("/admin/audit/verify", use: verifyAudit)
        group.get("/admin/outbox") { _, context in try await serviceAdministrator(context) { _ in try await outboxPage(context: context) } }
        group.post("/admin/outbox/:id/retry") { request, context in try await outboxAction(request, context, retry: true) }
        group.post("/admin/outbox/:id/purge") { request, context in try await outboxAction(request, context, retry: false) }
        group.get("/admin/organisations/new") { _, context in
            try await administrator(context) { _ in try render(OrganisationFormPage(), context: context) }
        }
        group.post("/admin/organisations", use: createOrganisation)
        group.get("/admin/organisations/:id", use: organisationPage)
        group.post("/admin/organisations/:id/external", use: setExternalPolicy)
        group.get("/admin/organisations/:id/users/new", use: newUserPage)
        group.post("/admin/organisations/:id/users", use: createUser)
        group.get("/admin/users/:id", use: userPage)
        group.post("/admin/users/:id", use: updateUser)
        group.post("/admin/users/:id/disable") { request, context in try await userAction(request, context, "disable") }
        group.post("/admin/users/:id/enable") { request, context in try await userAction(request, context, "enable") }
        group.post("/admin/users/:id/reset-totp") { request, context in try await userAction(request, context, "reset") }
    }

    /// An administrator's page; anyone else gets not-found.
    func administrator(_ context: AppRequestContext, _ body: (User) async throws -> Response) async throws -> Response {
        try await member(context) { user in
            guard user.has(.admin) || user.has(.serviceAdmin) else { throw SafehavenError.notFound }
            return try await body(user)
        }
    }

    /// For the service's administrators only; everyone else gets not-found.
    func serviceAdministrator(_ context: AppRequestContext, _ body: (User) async throws -> Response) async throws -> Response {
        try await member(context) { user in
            guard user.has(.serviceAdmin) else { throw SafehavenError.notFound }
            return try await body(user)
        }
    }

    func outboxPage(context: AppRequestContext, notice: String? = nil) async throws -> Response {
        let failed = try await OutboxAdminService(runtime.deps).list()
        return try render(OutboxPage(rows: failed.map { .init(id: $0.id, kind: $0.kind.rawValue.replacingOccurrences(of: "_", with: " "), to: $0.to,
                                                              queued: WebFormat.date($0.createdAt), attempts: $0.attempts, error: $0.lastError ?? "") },
                                     transport: runtime.mailDescription, notice: notice), context: context)
    }

    func outboxAction(_ request: Request, _ context: AppRequestContext, retry: Bool) async throws -> Response {
        try await adminPost(request, context) { user, _ in
            guard user.has(.serviceAdmin) else { throw SafehavenError.notFound }
            let id = try context.parameters.require("id")
            if retry {
                try await OutboxAdminService(runtime.deps).retry(id, actor: user)
            } else {
                try await OutboxAdminService(runtime.deps).purge(id, actor: user)
            }
            return try await outboxPage(context: context, notice: retry ? "Queued to be sent again." : "Removed.")
        }
    }

    func adminPost(_ request: Request, _ context: AppRequestContext, _ body: (User, [String: String]) async throws -> Response) async throws -> Response {
        try await post(request, context) { user, fields in
            guard user.has(.admin) || user.has(.serviceAdmin) else { throw SafehavenError.notFound }
            return try await body(user, fields)
        }
    }

    func adminHome(_ user: User, context: AppRequestContext, audit: AuditOutcome? = nil) async throws -> Response {
        let organisations = try await runtime.directory.organisations(visibleTo: user)
        let profile = BuiltInProfiles.all.first { $0.name == runtime.policy.profileInUse }
        var page = AdminPage(organisations: organisations.map { .init(id: $0.id, name: $0.name, domains: $0.domains.joined(separator: ", ")) },
                             canAddOrganisation: user.has(.serviceAdmin), profile: runtime.policy.profileInUse,
                             profileDescription: profile?.description ?? "", serviceWide: user.has(.serviceAdmin))
        if user.has(.serviceAdmin) {
            let checkpoints = try await runtime.store.read { try await $0.auditCheckpoints() }
            let failed = try await OutboxAdminService(runtime.deps).list(limit: 1000).count
            page.failedNotices = failed == 0 ? "Every notification has been delivered or is on its way." :
                "\(failed) notification\(failed == 1 ? " has" : "s have") not been delivered."
            page.lastCheckpoint = checkpoints.last.map { "Event \($0.count), signed \(WebFormat.date($0.at))" } ?? "None signed yet"
            switch audit {
            case .ok(let report)?:
                page.auditResult = "The audit trail is intact: \(report.events) events, every one covered by a signed checkpoint or younger than one signing interval."
                page.auditEvents = String(report.events)
            case .bad(let seq, let reason)?:
                page.auditResult = "The audit trail is broken at event \(seq): \(reason) Investigate before relying on it."
                page.auditBroken = true
            case nil:
                break
            }
        }
        return try render(page, context: context, status: page.auditBroken ? .conflict : .ok)
    }

    /// Checks the whole chain now (about 2.5 seconds per million events on a small server).
    @Sendable func verifyAudit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await adminPost(request, context) { user, _ in
            guard user.has(.serviceAdmin) else { throw SafehavenError.notFound }
            return try await adminHome(user, context: context, audit: try await runtime.audit.verify())
        }
    }

    @Sendable func createOrganisation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await adminPost(request, context) { user, fields in
            var form = OrganisationFormPage(name: fields["name"] ?? "", domains: fields["domains"] ?? "", switchboard: fields["switchboard"] ?? "",
                                            address: fields["address"] ?? "")
            do {
                let org = try await runtime.directory.createOrganisation(
                    name: form.name, domains: ShareService.addresses(in: form.domains), switchboard: form.switchboard, address: form.address, by: user)
                return redirect("/admin/organisations/\(org.id)")
            } catch {
                let e = try Self.fieldError(conflictAsForm(error), default: "name")
                form.errors = [.init(field: ["name", "switchboard", "address"].contains(e.field) ? e.field : "domains", message: e.message)]
                return try render(form, context: context)
            }
        }
    }

    /// A conflict (address or domain already taken) is something to fix in the form.
    func conflictAsForm(_ error: Error) -> Error {
        guard let e = error as? SafehavenError, e.kind == .conflict else { return error }
        let field = e.code == "domain_taken" ? "domains" : e.code == "email_taken" ? "email" : e.code == "cannot_demote_self" ? "roles" : "name"
        return SafehavenError.invalid(field, e.message)
    }

    @Sendable func organisationPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await administrator(context) { user in
            try await organisationView(try context.parameters.require("id"), user: user, context: context)
        }
    }

    func organisationView(_ id: String, user: User, shown: ExternalPolicy? = nil, notice: String? = nil, errors: [FieldError] = [],
                          context: AppRequestContext) async throws -> Response {
        let (org, people) = try await runtime.directory.organisation(id, administeredBy: user)
        var policy = ExternalPolicy()
        if let shown { policy = shown } else { policy = try await runtime.directory.externalPolicy(id, administeredBy: user) }
        return try render(OrganisationPage(
            id: org.id, name: org.name, domains: org.domains, switchboard: org.switchboard, address: org.address,
            people: people.map { .init(id: $0.id, name: $0.name.isEmpty ? "(not set up yet)" : $0.name, email: $0.email,
                                       roles: Self.roleNames($0.roles), state: $0.disabled ? "Disabled" : "Active", totp: $0.totpEnabled) },
            external: [Choice(value: "any", label: "Anyone, by invitation", checked: policy.rule == .any),
                       Choice(value: "listed", label: "Only people at the domains listed below", checked: policy.rule == .listed),
                       Choice(value: "none", label: "Nobody: every recipient must already have an account", checked: policy.rule == .none)],
            externalDomains: policy.domains.joined(separator: "\n"), notice: notice, errors: errors), context: context)
    }

    @Sendable func setExternalPolicy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await adminPost(request, context) { user, fields in
            let id = try context.parameters.require("id")
            let policy = ExternalPolicy(rule: ExternalPolicy.Rule(rawValue: fields["external"] ?? "") ?? .any,
                                        domains: ShareService.addresses(in: fields["externalDomains"] ?? ""))
            do {
                try await runtime.directory.setExternalPolicy(policy, organisationID: id, by: user)
                return try await organisationView(id, user: user, notice: "Saved: the rule applies to the next share anyone here sends.", context: context)
            } catch {
                let e = try Self.fieldError(error, default: "externalDomains")
                return try await organisationView(id, user: user, shown: policy, errors: [.init(field: "externalDomains", message: e.message)],
                                                  context: context)
            }
        }
    }

    static func roleNames(_ roles: [Role]) -> String {
        roles.map(roleLabel).joined(separator: ", ")
    }

    static func roleLabel(_ role: Role) -> String {
        switch role {
        case .practitioner: return "Practitioner"
        case .manager: return "Manager"
        case .igOfficer: return "Information governance officer"
        case .admin: return "Administrator"
        case .serviceAdmin: return "Service administrator"
        case .external: return "Invited from outside"
        }
    }

    func roleChoices(_ chosen: [Role], actor: User) -> [Choice] {
        Role.allCases.filter { ($0 != .serviceAdmin || actor.has(.serviceAdmin)) && $0 != .external }
            .map { Choice(value: $0.rawValue, label: Self.roleLabel($0), checked: chosen.contains($0)) }
    }

    func userForm(_ org: Organisation, actor: User, user: User?) -> UserFormPage {
        UserFormPage(heading: user.map { "\($0.name)" } ?? "Add a person to \(org.name)", organisationID: org.id, organisationName: org.name,
                     domains: org.domains.joined(separator: ", "), userID: user?.id, isNew: user == nil, email: user?.email ?? "",
                     name: user?.name ?? "", jobTitle: user?.jobTitle ?? "", department: user?.department ?? "", phone: user?.phone ?? "",
                     roles: roleChoices(user?.roles ?? [.practitioner], actor: actor), disabled: user?.disabled ?? false,
                     totp: user?.totpEnabled ?? false)
    }

    @Sendable func newUserPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await administrator(context) { user in
            let (org, _) = try await runtime.directory.organisation(try context.parameters.require("id"), administeredBy: user)
            return try render(userForm(org, actor: user, user: nil), context: context)
        }
    }

    static func roles(from fields: [String: String]) -> [Role] {
        Role.allCases.filter { fields["role-\($0.rawValue)"] == "yes" }
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await adminPost(request, context) { actor, fields in
            let (org, _) = try await runtime.directory.organisation(try context.parameters.require("id"), administeredBy: actor)
            var form = userForm(org, actor: actor, user: nil)
            form.email = fields["email"] ?? ""
            form.name = fields["name"] ?? ""
            form.jobTitle = fields["jobTitle"] ?? ""
            form.department = fields["department"] ?? ""
            form.phone = fields["phone"] ?? ""
            let roles = Self.roles(from: fields)
            form.roles = roleChoices(roles, actor: actor)
            do {
                let (user, password) = try await runtime.directory.addUser(.init(
                    email: form.email, name: form.name, organisation: org.id, jobTitle: form.jobTitle, department: form.department,
                    phone: form.phone, roles: roles), by: actor)
                var done = userForm(org, actor: actor, user: user)
                done.oneTimePassword = password
                return try render(done, context: context)
            } catch {
                let e = try Self.fieldError(conflictAsForm(error), default: "email")
                form.errors = [.init(field: Self.camel(e.field), message: e.message)]
                return try render(form, context: context)
            }
        }
    }

    @Sendable func userPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await administrator(context) { actor in
            let user = try await runtime.directory.user(try context.parameters.require("id"), administeredBy: actor)
            let (org, _) = try await runtime.directory.organisation(user.organisationID, administeredBy: actor)
            return try render(userForm(org, actor: actor, user: user), context: context)
        }
    }

    @Sendable func updateUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await adminPost(request, context) { actor, fields in
            let existing = try await runtime.directory.user(try context.parameters.require("id"), administeredBy: actor)
            let (org, _) = try await runtime.directory.organisation(existing.organisationID, administeredBy: actor)
            do {
                let user = try await runtime.directory.updateUser(existing.id, name: fields["name"] ?? "", jobTitle: fields["jobTitle"] ?? "",
                                                                  department: fields["department"] ?? "", phone: fields["phone"] ?? "",
                                                                  roles: Self.roles(from: fields), by: actor)
                var page = userForm(org, actor: actor, user: user)
                page.notice = "Changes saved."
                return try render(page, context: context)
            } catch {
                var form = userForm(org, actor: actor, user: existing)
                form.name = fields["name"] ?? ""
                form.jobTitle = fields["jobTitle"] ?? ""
                form.department = fields["department"] ?? ""
                form.phone = fields["phone"] ?? ""
                form.roles = roleChoices(Self.roles(from: fields), actor: actor)
                let e = try Self.fieldError(conflictAsForm(error), default: "name")
                form.errors = [.init(field: Self.camel(e.field), message: e.message)]
                return try render(form, context: context)
            }
        }
    }

    func userAction(_ request: Request, _ context: AppRequestContext, _ action: String) async throws -> Response {
        try await adminPost(request, context) { actor, _ in
            let id = try context.parameters.require("id")
            let user: User
            let notice: String
            switch action {
            case "disable":
                user = try await auth.setDisabled(id, true, by: actor)
                notice = "\(user.name) can no longer sign in; every session of theirs has ended."
            case "enable":
                user = try await auth.setDisabled(id, false, by: actor)
                notice = "\(user.name) can sign in again."
            default:
                user = try await auth.resetTOTP(id, by: actor)
                notice = "\(user.name)'s authenticator app was removed. They sign in with their password and set up a new one."
            }
            let (org, _) = try await runtime.directory.organisation(user.organisationID, administeredBy: actor)
            var page = userForm(org, actor: actor, user: user)
            page.notice = notice
            return try render(page, context: context)
        }
    }
}
