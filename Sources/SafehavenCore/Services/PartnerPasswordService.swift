import Foundation
import SafehavenCrypto

/// Shared archive passwords for regular exchanges with a partner organisation. The guidance asks
/// for a different password per partner, changed at least every three months: each is sealed
/// under the key-encryption key, shown only to members of the owning organisation, and flagged
/// when its rotation date passes.
public struct PartnerPasswordService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public static let defaultRotationDays = 90

    public struct Listed: Sendable, Equatable {
        public let record: PartnerPassword
        public let rotationDue: Bool
    }

    /// Registers a password (generated unless one is given, which must pass the archive policy).
    public func create(partner rawPartner: String, purpose rawPurpose: String, password given: String?, rotateDays: Int?,
                       by user: User) async throws -> (PartnerPassword, String) {
        let partner = try Text.required(rawPartner, field: "partner", max: 200)
        let purpose = try Text.required(rawPurpose, field: "purpose", max: 500)
        let days = rotateDays ?? Self.defaultRotationDays
        guard (1...365).contains(days) else { throw SafehavenError.invalid("rotate_days", "Change shared passwords at least once a year (1 to 365 days).") }
        let password = given ?? PasswordGenerator.generate(random: deps.random, groups: 6, groupLength: 5)
        if given != nil { try PasswordPolicy.checkArchive(password) }
        let now = deps.clock.now()
        let id = deps.ids.next()
        let record = PartnerPassword(id: id, organisationID: user.organisationID, partner: partner, purpose: purpose,
                                     passwordSealed: try deps.kek.sealSecret(Array(password.utf8), context: "partner-password:\(id)", random: deps.random),
                                     createdBy: user.id, createdAt: now, rotateBy: now.addingTimeInterval(TimeInterval(days) * 86_400))
        try await deps.store.write { tx in
            try await tx.insert(record)
            try await tx.appendAudit(AuditEntry(.partnerPasswordCreated, actor: user.id, organisation: user.organisationID, target: id,
                                                details: ["rotate_days": String(days)]), at: now)
        }
        return (record, password)
    }

    /// The organisation's current passwords (never the passwords themselves), due ones flagged.
    public func list(for user: User) async throws -> [Listed] {
        let now = deps.clock.now()
        return try await deps.store.read { try await $0.partnerPasswords(organisationID: user.organisationID) }
            .filter { $0.retiredAt == nil }
            .map { Listed(record: $0, rotationDue: now >= $0.rotateBy) }
    }

    /// Reminders: every organisation's passwords now due for rotation, for the background job
    /// (and, once mail is in place, the notices it sends).
    public func due() async throws -> [PartnerPassword] {
        let now = deps.clock.now()
        return try await deps.store.read { try await $0.partnerPasswordsDue(at: now) }
    }

    /// Who may see or replace a password: whoever registered it, and their organisation's
    /// managers and information governance officers. Other colleagues see only that it exists.
    public static func mayHandle(_ record: PartnerPassword, _ user: User) -> Bool {
        record.organisationID == user.organisationID && (record.createdBy == user.id || user.has(.manager) || user.has(.igOfficer))
    }

    /// A current password of the user's own organisation that they may handle.
    private func handled(_ id: String, by user: User) async throws -> PartnerPassword {
        guard let record = try await deps.store.read({ try await $0.partnerPassword(id: id) }),
              record.organisationID == user.organisationID, record.retiredAt == nil else { throw SafehavenError.notFound }
        guard Self.mayHandle(record, user) else {
            throw SafehavenError.forbidden("not_permitted",
                                           "Only the person who registered this password, a manager or an information governance officer can see or change it.")
        }
        return record
    }

    /// Shows a password to whoever may handle it; audited every time.
    public func reveal(_ id: String, by user: User) async throws -> String {
        let record = try await handled(id, by: user)
        let password = String(decoding: try deps.kek.openSecret(record.passwordSealed, context: "partner-password:\(id)"), as: UTF8.self)
        let now = deps.clock.now()
        _ = try await deps.store.write { tx in
            try await tx.appendAudit(AuditEntry(.partnerPasswordRevealed, actor: user.id, organisation: user.organisationID, target: id), at: now)
        }
        return password
    }

    /// Replaces a password with a new one for the same partner and purpose.
    public func rotate(_ id: String, by user: User, rotateDays: Int? = nil) async throws -> (PartnerPassword, String) {
        let old = try await handled(id, by: user)
        let (record, password) = try await create(partner: old.partner, purpose: old.purpose, password: nil, rotateDays: rotateDays, by: user)
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.retirePartnerPassword(id: id, at: now)
            try await tx.appendAudit(AuditEntry(.partnerPasswordRotated, actor: user.id, organisation: user.organisationID, target: id,
                                                details: ["replacement": record.id]), at: now)
        }
        return (record, password)
    }
}
