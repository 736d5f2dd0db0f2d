import Foundation

/// The people information is about: a case reference and a display name (sealed), and the whole
/// history of what was shared about each of them.
public struct SubjectService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// Records a person. Case references are unique within the organisation.
    public func create(caseReference: String, displayName: String, by user: User) async throws -> DataSubject {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let reference = try Text.required(caseReference, field: "case_reference", max: 60)
        guard !reference.contains("\n") else { throw SafehavenError.invalid("case_reference", "A case reference is one line.") }
        let name = try Text.required(displayName, field: "display_name", max: 200)
        let now = deps.clock.now()
        let subject = DataSubject(id: deps.ids.next(), organisationID: user.organisationID, team: user.department, caseReference: reference,
                                  displayName: name, createdBy: user.id, createdAt: now)
        let row = try RecordVault(deps).seal(subject, at: now)
        try await deps.store.write { tx in
            if try await tx.record(.subject, organisationID: subject.organisationID, lookup: subject.lookup ?? "") != nil {
                throw SafehavenError.conflict("case_reference_taken", "Someone with case reference \(reference) is already recorded in your organisation.")
            }
            try await tx.insert(row)
            try await tx.appendAudit(AuditEntry(.subjectRecorded, actor: user.id, organisation: user.organisationID, target: subject.id), at: now)
        }
        return subject
    }

    /// Anyone on the staff of the organisation can find a person by their exact case reference
    /// (to share about them); lists are for those whose role covers the records.
    public func find(caseReference: String, for user: User) async throws -> DataSubject? {
        guard !user.has(.external) else { return nil }
        let organisation = user.organisationID
        let key = DataSubject.key(caseReference)
        guard !key.isEmpty, let row = try await deps.store.read({ try await $0.record(.subject, organisationID: organisation, lookup: key) }) else {
            return nil
        }
        return try RecordVault(deps).open(row, as: DataSubject.self)
    }

    /// The people this user recorded, or their team's, or the organisation's (by role).
    public func list(for user: User) async throws -> [DataSubject] {
        try await deps.records(DataSubject.self, for: user).map(\.body).sorted { $0.caseReference < $1.caseReference }
    }

    /// One person: anyone on the staff may open the page of someone in their organisation, by id.
    public func subject(_ id: String, for user: User) async throws -> DataSubject {
        guard !user.has(.external), let row = try await deps.store.read({ try await $0.record(id: id) }), row.kind == .subject,
              row.organisationID == user.organisationID else { throw SafehavenError.notFound }
        return try RecordVault(deps).open(row, as: DataSubject.self)
    }

    /// Everything recorded about one person that this user may see: the register entries that
    /// name them and their consents. Reading it is audited (it is what a subject access request
    /// or a case review asks for).
    public struct History: Sendable {
        public var subject: DataSubject
        public var disclosures: [Disclosure]
        public var consents: [Consent]
    }

    public func history(_ id: String, for user: User) async throws -> History {
        let subject = try await subject(id, for: user)
        let (entries, consentRows) = try await deps.store.read { db in
            var entries: [Disclosure] = []
            for link in try await db.links(recordID: id, kind: .disclosureSubject) {
                if let entry = try await db.disclosure(id: link.targetID) { entries.append(entry) }
            }
            return (entries, try await db.records(.consent, subjectID: id))
        }
        let vault = RecordVault(deps)
        let consents = try consentRows.filter { $0.organisationID == user.organisationID }.map { try vault.open($0, as: Consent.self) }
        let now = deps.clock.now()
        _ = try await deps.store.write { tx in
            try await tx.appendAudit(AuditEntry(.subjectHistoryRead, actor: user.id, organisation: user.organisationID, target: id,
                                                details: ["entries": String(entries.count)]), at: now)
        }
        return History(subject: subject,
                       disclosures: entries.filter { RegisterService.inScope($0, for: user) }.sorted { ($0.at, $0.id) < ($1.at, $1.id) },
                       consents: consents)
    }

    /// Resolves case references to people recorded in the sender's organisation.
    func resolve(_ references: [String], organisationID: String) async throws -> [DataSubject] {
        var keys: [String] = []
        for raw in references {
            let key = DataSubject.key(raw)
            if !key.isEmpty && !keys.contains(key) { keys.append(key) }
        }
        guard keys.count <= 50 else { throw SafehavenError.invalid("case_references", "A share can be about at most 50 people; ask about bulk sharing.") }
        let vault = RecordVault(deps)
        var found: [DataSubject] = []
        for key in keys {
            guard let row = try await deps.store.read({ try await $0.record(.subject, organisationID: organisationID, lookup: key) }) else {
                throw SafehavenError.invalid("case_references", "Nobody with case reference \(key) is recorded in your organisation. Add them under Records, People first.")
            }
            found.append(try vault.open(row, as: DataSubject.self))
        }
        return found
    }
}
