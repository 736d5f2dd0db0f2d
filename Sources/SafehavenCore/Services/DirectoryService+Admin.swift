import Foundation

/// The directory as administrators see it in the web interface: the service's administrators see
/// every organisation, an organisation's administrators only their own; anything else is not found.
extension DirectoryService {
    func requireAdministrator(_ actor: User) throws {
        guard actor.has(.admin) || actor.has(.serviceAdmin) else {
            throw SafehavenError.forbidden("not_an_administrator", "Only an administrator can do this.")
        }
    }

    public func organisations(visibleTo actor: User) async throws -> [Organisation] {
        try requireAdministrator(actor)
        let all = try await deps.store.read { try await $0.organisations() }
        return all.filter { AuthService.mayAdminister(actor, organisationID: $0.id) }
    }

    /// One organisation and its people.
    public func organisation(_ id: String, administeredBy actor: User) async throws -> (Organisation, [User]) {
        try requireAdministrator(actor)
        guard AuthService.mayAdminister(actor, organisationID: id) else { throw SafehavenError.notFound }
        return try await deps.store.read { db in
            guard let org = try await db.organisation(id: id) else { throw SafehavenError.notFound }
            return (org, try await db.users(organisationID: id))
        }
    }

    public func user(_ id: String, administeredBy actor: User) async throws -> User {
        try requireAdministrator(actor)
        guard let user = try await deps.store.read({ try await $0.user(id: id) }),
              AuthService.mayAdminister(actor, organisationID: user.organisationID) else { throw SafehavenError.notFound }
        return user
    }

    /// Adds an organisation: for the service's administrators only.
    public func createOrganisation(name: String, domains: [String], switchboard: String, address: String, by actor: User) async throws -> Organisation {
        guard actor.has(.serviceAdmin) else {
            throw SafehavenError.forbidden("not_a_service_administrator", "Only the service's administrators can add organisations.")
        }
        return try await createOrganisation(name: name, domains: domains, switchboard: switchboard, address: address, actorID: actor.id)
    }

    /// Adds someone to an organisation the actor administers, with a one-time password they must
    /// change at first sign-in.
    public func addUser(_ input: NewUser, by actor: User) async throws -> (user: User, password: String) {
        _ = try await organisation(input.organisation, administeredBy: actor)
        try checkRoles(input.roles, by: actor)
        var input = input
        input.password = nil
        input.mustChangePassword = true
        let (user, password) = try await createUser(input, actorID: actor.id)
        return (user, password ?? "")
    }

    /// Changes someone's name, job title, department, telephone and roles.
    @discardableResult
    public func updateUser(_ id: String, name: String, jobTitle: String, department: String, phone: String, roles: [Role],
                           by actor: User) async throws -> User {
        var user = try await user(id, administeredBy: actor)
        try checkRoles(roles, by: actor)
        let roles = roles.isEmpty ? [Role.practitioner] : Array(Set(roles)).sorted { $0.rawValue < $1.rawValue }
        if user.id == actor.id && !(roles.contains(.admin) || roles.contains(.serviceAdmin)) {
            throw SafehavenError.conflict("cannot_demote_self", "You cannot remove your own administrator role; ask another administrator.")
        }
        user.name = try Text.required(name, field: "name", max: 200)
        user.jobTitle = try Text.required(jobTitle, field: "job_title", max: 200)
        user.department = try Text.optional(department, field: "department", max: 200)
        user.phone = try Text.required(phone, field: "phone", max: 40)
        user.roles = roles
        let now = deps.clock.now()
        try await deps.store.write { [user] tx in
            try await tx.updateProfile(of: user)
            try await tx.appendAudit(AuditEntry(.userUpdated, actor: actor.id, organisation: user.organisationID, target: user.id,
                                                details: ["roles": roles.map(\.rawValue).joined(separator: ",")]), at: now)
        }
        return user
    }

    /// Only the service's administrators make more of themselves.
    func checkRoles(_ roles: [Role], by actor: User) throws {
        if roles.contains(.external) {
            throw SafehavenError.invalid("roles", "Invited people get their accounts through their invitation, not from an administrator.")
        }
        if roles.contains(.serviceAdmin) && !actor.has(.serviceAdmin) {
            throw SafehavenError.forbidden("not_a_service_administrator", "Only the service's administrators can make someone a service administrator.")
        }
    }
}

extension DirectoryService {
    /// An organisation's rule about sending to people without an account (default: anyone).
    public func externalPolicy(_ organisationID: String, administeredBy actor: User) async throws -> ExternalPolicy {
        _ = try await organisation(organisationID, administeredBy: actor)
        return try await deps.store.read { try await $0.externalPolicy(organisationID: organisationID) } ?? ExternalPolicy()
    }

    public func setExternalPolicy(_ policy: ExternalPolicy, organisationID: String, by actor: User) async throws {
        _ = try await organisation(organisationID, administeredBy: actor)
        var domains: [String] = []
        for raw in policy.domains where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let domain = try EmailAddress.normaliseDomain(raw)
            if !domains.contains(domain) { domains.append(domain) }
        }
        if policy.rule == .listed && domains.isEmpty {
            throw SafehavenError.invalid("domains", "List at least one domain, or choose another rule.")
        }
        let clean = ExternalPolicy(rule: policy.rule, domains: policy.rule == .listed ? domains : [])
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.setExternalPolicy(clean, organisationID: organisationID)
            try await tx.appendAudit(AuditEntry(.externalPolicyChanged, actor: actor.id, organisation: organisationID, target: organisationID,
                                                details: ["rule": clean.rule.rawValue, "domains": clean.domains.joined(separator: ",")]), at: now)
        }
    }
}
