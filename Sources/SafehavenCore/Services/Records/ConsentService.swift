import Foundation

/// Consent and its limits: who gave it, for what, to whom, until when it should be reviewed;
/// withdrawn at any time, which tells the senders of open shares that relied on it.
public struct ConsentService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// What someone records; every field is checked.
    public struct Draft: Sendable {
        public var caseReference: String
        public var givenBy: String
        public var giverName: String
        public var capacityNote: String
        public var purposes: [String]
        public var recipients: [String]
        public var recipientKinds: String
        public var information: String
        public var limits: String
        public var givenAt: Date?
        public var reviewBy: Date?
        public init(caseReference: String, givenBy: String, giverName: String, capacityNote: String = "", purposes: [String], recipients: [String],
                    recipientKinds: String = "", information: String, limits: String = "", givenAt: Date? = nil, reviewBy: Date? = nil) {
            self.caseReference = caseReference
            self.givenBy = givenBy
            self.giverName = giverName
            self.capacityNote = capacityNote
            self.purposes = purposes
            self.recipients = recipients
            self.recipientKinds = recipientKinds
            self.information = information
            self.limits = limits
            self.givenAt = givenAt
            self.reviewBy = reviewBy
        }
    }

    public func record(_ draft: Draft, by user: User) async throws -> Consent {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let now = deps.clock.now()
        guard let subject = try await SubjectService(deps).find(caseReference: draft.caseReference, for: user) else {
            throw SafehavenError.invalid("case_reference", "Nobody with that case reference is recorded in your organisation. Add them under People first.")
        }
        guard let givenBy = Consent.GivenBy(rawValue: draft.givenBy) else {
            throw SafehavenError.invalid("given_by", "Say who gave consent: the person, a parent, a carer or a representative.")
        }
        let giver = try Text.required(draft.giverName, field: "giver_name", max: 200)
        let capacity = try Text.optional(draft.capacityNote, field: "capacity_note", max: 2000)
        if givenBy == .person && capacity.isEmpty {
            throw SafehavenError.invalid("capacity_note", "Note how you judged the person able to consent (capacity, or Gillick competence for a child).")
        }
        let purposes = try lines(draft.purposes, field: "purposes", what: "at least one purpose")
        var recipients: [String] = []
        let organisations = try await deps.store.read { try await $0.organisations() }
        for raw in try lines(draft.recipients, field: "recipients", what: "at least one organisation or email domain") {
            if let organisation = organisations.first(where: { $0.id == raw || $0.name.lowercased() == raw.lowercased() }) {
                recipients.append(organisation.id)
            } else {
                let domain = DomainMatch.canonical(raw.hasPrefix("@") ? String(raw.dropFirst()) : raw)
                guard domain.contains("."), !domain.contains("@"), !domain.contains(" ") else {
                    throw SafehavenError.invalid("recipients", "\(raw) is neither an organisation in Safehaven nor an email domain such as nhs.net.")
                }
                recipients.append(domain)
            }
        }
        let givenAt = draft.givenAt ?? now
        guard givenAt <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("given_at", "Consent cannot be dated in the future.") }
        let reviewBy = draft.reviewBy ?? givenAt.addingTimeInterval(365 * 86_400)
        guard reviewBy > givenAt else { throw SafehavenError.invalid("review_by", "The review date must come after the date consent was given.") }
        let consent = Consent(id: deps.ids.next(), organisationID: user.organisationID, team: user.department, subjectID: subject.id,
                              givenBy: givenBy, giverName: giver, capacityNote: capacity, purposes: purposes, recipients: recipients,
                              recipientKinds: try Text.optional(draft.recipientKinds, field: "recipient_kinds", max: 1000),
                              information: try Text.required(draft.information, field: "information", max: 2000),
                              limits: try Text.optional(draft.limits, field: "limits", max: 2000), givenAt: givenAt, reviewBy: reviewBy,
                              recordedBy: user.id, createdAt: now)
        let row = try RecordVault(deps).seal(consent, at: now)
        try await deps.store.write { tx in
            try await tx.insert(row)
            try await tx.appendAudit(AuditEntry(.consentRecorded, actor: user.id, organisation: user.organisationID, target: consent.id,
                                                details: ["subject": subject.id, "given_by": givenBy.rawValue]), at: now)
        }
        return consent
    }

    private func lines(_ values: [String], field: String, what: String) throws -> [String] {
        var out: [String] = []
        for value in values.flatMap({ $0.components(separatedBy: "\n") }) {
            let line = try Text.optional(value, field: field, max: 300)
            if !line.isEmpty && !out.contains(line) { out.append(line) }
        }
        guard !out.isEmpty else { throw SafehavenError.invalid(field, "Give \(what).") }
        guard out.count <= 50 else { throw SafehavenError.invalid(field, "At most 50 lines.") }
        return out
    }

    /// The consents this user may see (their own, their team's, or the organisation's).
    public func list(for user: User) async throws -> [Consent] {
        try await deps.records(Consent.self, for: user).map(\.body)
    }

    /// Live consents whose review date has passed (or passes within `days`).
    public func dueForReview(for user: User, within days: Int = 0) async throws -> [Consent] {
        let limit = deps.clock.now().addingTimeInterval(TimeInterval(days) * 86_400)
        return try await list(for: user).filter { $0.withdrawnAt == nil && $0.reviewBy <= limit }.sorted { $0.reviewBy < $1.reviewBy }
    }

    /// One consent. Anyone on the staff may read the consents of a person in their organisation
    /// (they need them to share); changing one follows the records' scope.
    public func consent(_ id: String, for user: User) async throws -> Consent {
        guard !user.has(.external), let row = try await deps.store.read({ try await $0.record(id: id) }), row.kind == .consent,
              row.organisationID == user.organisationID else { throw SafehavenError.notFound }
        return try RecordVault(deps).open(row, as: Consent.self)
    }

    /// The shares made under a consent, with their state now.
    public func shares(under consentID: String, for user: User) async throws -> [Share] {
        _ = try await consent(consentID, for: user)
        return try await deps.store.read { db in
            var shares: [Share] = []
            for link in try await db.links(recordID: consentID, kind: .shareConsent) {
                if let share = try await db.share(id: link.targetID) { shares.append(share) }
            }
            return shares
        }
    }

    /// Withdraws a consent. Every sender of a share made under it that can still be opened is
    /// told, in the same transaction, and can withdraw the share in one step.
    @discardableResult
    public func withdraw(_ id: String, note: String, by user: User) async throws -> (consent: Consent, alerted: Int) {
        let reason = try Text.optional(note, field: "note", max: 2000)
        let now = deps.clock.now()
        let ids = deps.ids
        let dependencies = deps
        return try await deps.store.write { tx in
            guard let row = try await tx.record(id: id), row.kind == .consent, row.organisationID == user.organisationID, !user.has(.external) else {
                throw SafehavenError.notFound
            }
            var consent = try RecordVault(dependencies).open(row, as: Consent.self)
            guard consent.withdrawnAt == nil else { throw SafehavenError.conflict("already_withdrawn", "This consent was already withdrawn.") }
            consent.withdrawnAt = now
            consent.withdrawnRecordedBy = user.id
            consent.withdrawalNote = reason
            _ = try await dependencies.save(consent, after: row, in: tx)
            var alerted = 0
            for link in try await tx.links(recordID: id, kind: .shareConsent) {
                guard let share = try await tx.share(id: link.targetID), share.status(at: now) == .active || share.held,
                      let sender = try await tx.user(id: share.senderID) else { continue }
                if try await tx.enqueue(Notifications.consentWithdrawn(share, consentID: id, senderEmail: sender.email, ids: ids, at: now)) { alerted += 1 }
            }
            try await tx.appendAudit(AuditEntry(.consentWithdrawn, actor: user.id, organisation: user.organisationID, target: id,
                                                details: ["shares_alerted": String(alerted)]), at: now)
            return (consent, alerted)
        }
    }

    /// The sender's shares still open under consents that were withdrawn: what they should review.
    public func withdrawnUnder(for user: User) async throws -> [(share: Share, consent: Consent)] {
        let now = deps.clock.now()
        let organisation = user.organisationID
        let rows = try await deps.store.read { try await $0.records(.consent, organisationID: organisation) }.filter { $0.state == "withdrawn" }
        let vault = RecordVault(deps)
        var out: [(Share, Consent)] = []
        for row in rows {
            let consent = try vault.open(row, as: Consent.self)
            let shares = try await deps.store.read { db in
                var found: [Share] = []
                for link in try await db.links(recordID: row.id, kind: .shareConsent) {
                    if let share = try await db.share(id: link.targetID), share.senderID == user.id, share.status(at: now) == .active { found.append(share) }
                }
                return found
            }
            out += shares.map { ($0, consent) }
        }
        return out
    }

    /// Withdraws, in one step, every share this user sent under a withdrawn consent that can
    /// still be opened. Returns the ids withdrawn.
    public func revokeShares(under consentID: String, by user: User) async throws -> [String] {
        let consent = try await consent(consentID, for: user)
        guard consent.withdrawnAt != nil else {
            throw SafehavenError.conflict("consent_live", "This consent has not been withdrawn; withdraw shares one by one if you need to.")
        }
        let sharing = ShareService(deps)
        var withdrawn: [String] = []
        for share in try await shares(under: consentID, for: user) where share.senderID == user.id {
            if try await sharing.withdraw(share, by: user, details: ["consent_withdrawn": consentID]) { withdrawn.append(share.id) }
        }
        return withdrawn
    }
}
