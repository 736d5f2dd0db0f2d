import Foundation
import SafehavenCrypto

/// Organisations and user accounts: the operator's side of the directory.
public struct DirectoryService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// Adds an organisation. Domains must be valid and not claimed by another organisation.
    public func createOrganisation(name: String, domains: [String], switchboard: String, address: String,
                                   actorID: String? = nil) async throws -> Organisation {
        let name = try Text.required(name, field: "name", max: 200)
        let switchboard = try Text.optional(switchboard, field: "switchboard", max: 40)
        let address = try Text.optional(address, field: "address", max: 500)
        var normalised: [String] = []
        for domain in domains {
            let d = try EmailAddress.normaliseDomain(domain)
            _ = try DomainKinds.check(organisationDomain: d)
            if !normalised.contains(d) { normalised.append(d) }
        }
        guard !normalised.isEmpty else { throw SafehavenError.invalid("domain", "Give at least one email domain.") }
        let org = Organisation(id: deps.ids.next(), name: name, domains: normalised, switchboard: switchboard,
                               address: address, createdAt: deps.clock.now())
        let now = deps.clock.now()
        let claimed = normalised
        try await deps.store.write { tx in
            for domain in claimed where try await tx.organisation(domain: domain) != nil {
                throw SafehavenError.conflict("domain_taken", "The domain \(domain) already belongs to another organisation.")
            }
            try await tx.insert(org)
            try await tx.appendAudit(AuditEntry(.organisationCreated, actor: actorID, organisation: org.id, target: org.id,
                                                details: ["domains": claimed.joined(separator: ",")]), at: now)
        }
        return org
    }

    /// Finds an organisation by id or by one of its domains.
    public func findOrganisation(_ idOrDomain: String) async throws -> Organisation? {
        let key = idOrDomain.trimmingCharacters(in: .whitespaces)
        return try await deps.store.read { db in
            if let org = try await db.organisation(id: key) { return org }
            return try await db.organisation(domain: key.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
    }

    public struct NewUser: Sendable {
        public var email: String
        public var name: String
        public var organisation: String
        public var jobTitle: String
        public var department: String
        public var phone: String
        public var roles: [Role]
        /// Nil to generate one.
        public var password: String?
        /// The password is one-time: it must be changed at the first sign-in.
        public var mustChangePassword = false

        public init(email: String, name: String, organisation: String, jobTitle: String, department: String = "",
                    phone: String, roles: [Role] = [.practitioner], password: String? = nil) {
            self.email = email
            self.name = name
            self.organisation = organisation
            self.jobTitle = jobTitle
            self.department = department
            self.phone = phone
            self.roles = roles
            self.password = password
        }
    }

    /// Adds a user; returns the generated password when none was given (shown once, never stored).
    public func createUser(_ input: NewUser, actorID: String? = nil) async throws -> (user: User, generatedPassword: String?) {
        let email = try EmailAddress.normalise(input.email)
        let name = try Text.required(input.name, field: "name", max: 200)
        let jobTitle = try Text.required(input.jobTitle, field: "job_title", max: 200)
        let department = try Text.optional(input.department, field: "department", max: 200)
        let phone = try Text.required(input.phone, field: "phone", max: 40)
        guard let org = try await findOrganisation(input.organisation) else {
            throw SafehavenError.invalid("organisation", "No organisation has that id or domain.")
        }
        guard org.domains.contains(EmailAddress.domain(of: email)) else {
            throw SafehavenError.invalid("email", "The address must be on one of the organisation's domains (\(org.domains.joined(separator: ", "))).")
        }
        let generated = input.password == nil ? PasswordGenerator.generate(random: deps.random) : nil
        let password = input.password ?? generated!
        try PasswordPolicy.check(password, email: email, name: name)
        let roles = input.roles.isEmpty ? [Role.practitioner] : Array(Set(input.roles)).sorted { $0.rawValue < $1.rawValue }
        let passwords = deps.passwords
        let hash = try await deps.hashing.run { try passwords.hash(password) }
        var user = User(id: deps.ids.next(), organisationID: org.id, email: email, name: name, jobTitle: jobTitle,
                        department: department, phone: phone, roles: roles, passwordHash: hash, createdAt: deps.clock.now())
        user.mustChangePassword = input.mustChangePassword
        let now = deps.clock.now()
        try await deps.store.write { [user] tx in
            if try await tx.user(email: email) != nil {
                throw SafehavenError.conflict("email_taken", "A user with that email address already exists.")
            }
            try await tx.insert(user)
            try await tx.appendAudit(AuditEntry(.userCreated, actor: actorID, organisation: org.id, target: user.id,
                                                details: ["roles": roles.map(\.rawValue).joined(separator: ",")]), at: now)
        }
        return (user, generated)
    }
}

/// Checks for short free-text fields.
public enum Text {
    public static func required(_ raw: String, field: String, max: Int) throws -> String {
        let value = try optional(raw, field: field, max: max)
        guard !value.isEmpty else { throw SafehavenError.invalid(field, "\(label(field)) is required.") }
        return value
    }

    public static func optional(_ raw: String?, field: String, max: Int) throws -> String {
        let value = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count <= max else { throw SafehavenError.invalid(field, "\(label(field)) can be at most \(max) characters.") }
        guard !value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }) else {
            throw SafehavenError.invalid(field, "\(label(field)) contains control characters.")
        }
        return value
    }

    static func label(_ field: String) -> String {
        let words = field.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

extension DirectoryService {
    /// The organisation a user belongs to.
    public func organisation(of user: User) async throws -> Organisation? {
        let id = user.organisationID
        return try await deps.store.read { try await $0.organisation(id: id) }
    }

    // MARK: an organisation's own identifiers

    /// Adds or replaces one of an organisation's identifier patterns (checked before it is kept).
    public func setIdentifierPattern(_ pattern: IdentifierPattern, organisation idOrDomain: String, actorID: String? = nil) async throws {
        guard let org = try await findOrganisation(idOrDomain) else { throw SafehavenError.notFound }
        let name = try Text.required(pattern.name, field: "name", max: 80)
        let checked = IdentifierPattern(name: name, pattern: pattern.pattern)
        _ = try checked.compiled()
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.setIdentifierPattern(checked, organisationID: org.id)
            try await tx.appendAudit(AuditEntry(.identifierPatternsChanged, actor: actorID, organisation: org.id, target: org.id,
                                                details: ["set": name]), at: now)
        }
    }

    public func removeIdentifierPattern(name: String, organisation idOrDomain: String, actorID: String? = nil) async throws {
        guard let org = try await findOrganisation(idOrDomain) else { throw SafehavenError.notFound }
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard try await tx.removeIdentifierPattern(name: name, organisationID: org.id) else { throw SafehavenError.notFound }
            try await tx.appendAudit(AuditEntry(.identifierPatternsChanged, actor: actorID, organisation: org.id, target: org.id,
                                                details: ["removed": name]), at: now)
        }
    }

    public func identifierPatterns(organisation idOrDomain: String) async throws -> [IdentifierPattern] {
        guard let org = try await findOrganisation(idOrDomain) else { throw SafehavenError.notFound }
        return try await deps.store.read { try await $0.identifierPatterns(organisationID: org.id) }
    }
}
