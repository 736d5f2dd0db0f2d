import Foundation

/// The off-site log (information taken out and brought back) and the removable-media log
/// (devices issued encrypted and later wiped, destroyed or reported lost), with reminders when
/// something is overdue.
public struct LogbookService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    // MARK: off site

    public func takeOffsite(what: String, why: String, takenAt: Date?, dueBack: Date, by user: User) async throws -> OffsiteItem {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let now = deps.clock.now()
        let taken = takenAt ?? now
        guard taken <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("taken_at", "Record information when it leaves, not before.") }
        guard dueBack > taken else { throw SafehavenError.invalid("due_back", "The date it is due back must come after it was taken.") }
        guard dueBack <= taken.addingTimeInterval(90 * 86_400) else {
            throw SafehavenError.invalid("due_back", "Information can be recorded off site for at most 90 days; record it again if it stays out longer.")
        }
        let item = OffsiteItem(id: deps.ids.next(), organisationID: user.organisationID, team: user.department, holderID: user.id, recordedBy: user.id,
                               what: try Text.required(what, field: "what", max: 1000), why: try Text.required(why, field: "why", max: 1000),
                               takenAt: taken, dueBack: dueBack, createdAt: now)
        try await insert(item, audit: .offsiteTaken, by: user, at: now)
        return item
    }

    public func returnOffsite(_ id: String, at returned: Date?, by user: User) async throws -> OffsiteItem {
        let now = deps.clock.now()
        return try await change(id, as: OffsiteItem.self, by: user, audit: .offsiteReturned) { item in
            guard item.returnedAt == nil else { throw SafehavenError.conflict("already_returned", "This was already recorded as returned.") }
            let at = returned ?? now
            guard at <= now.addingTimeInterval(300), at >= item.takenAt else {
                throw SafehavenError.invalid("returned_at", "The return must be after it was taken and not in the future.")
            }
            item.returnedAt = at
            item.returnedRecordedBy = user.id
            return [:]
        }
    }

    public func offsite(for user: User) async throws -> [OffsiteItem] { try await deps.records(OffsiteItem.self, for: user).map(\.body) }

    // MARK: removable media

    public struct DeviceDraft: Sendable {
        public var device: String
        public var serial: String
        public var encryption: String
        public var encryptionConfirmed: Bool
        public var contents: String
        public var dueBack: Date
        public var holderEmail: String?
        public init(device: String, serial: String, encryption: String, encryptionConfirmed: Bool, contents: String, dueBack: Date, holderEmail: String? = nil) {
            self.device = device
            self.serial = serial
            self.encryption = encryption
            self.encryptionConfirmed = encryptionConfirmed
            self.contents = contents
            self.dueBack = dueBack
            self.holderEmail = holderEmail
        }
    }

    public func issueDevice(_ draft: DeviceDraft, by user: User) async throws -> MediaDevice {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let now = deps.clock.now()
        guard draft.encryptionConfirmed else {
            throw SafehavenError.invalid("encryption_confirmed", "Personal information may only go on removable media that is encrypted. Confirm the device is encrypted before it is issued.")
        }
        var holder = user
        if let email = draft.holderEmail?.trimmingCharacters(in: .whitespaces), !email.isEmpty {
            let address = try EmailAddress.normalise(email, field: "holder")
            guard let found = try await deps.store.read({ try await $0.user(email: address) }), found.organisationID == user.organisationID, !found.disabled else {
                throw SafehavenError.invalid("holder", "Nobody in your organisation has that address.")
            }
            guard found.id == user.id || user.has(.manager) || RecordScope.wholeOrganisation(user) else {
                throw SafehavenError.forbidden("not_allowed", "Only managers, IG officers and administrators issue devices to other people.")
            }
            holder = found
        }
        guard draft.dueBack > now, draft.dueBack <= now.addingTimeInterval(90 * 86_400) else {
            throw SafehavenError.invalid("due_back", "The device must be due back within 90 days.")
        }
        let device = MediaDevice(id: deps.ids.next(), organisationID: user.organisationID, team: holder.department, holderID: holder.id,
                                 recordedBy: user.id, device: try Text.required(draft.device, field: "device", max: 200),
                                 serial: try Text.required(draft.serial, field: "serial", max: 100),
                                 encryption: try Text.required(draft.encryption, field: "encryption", max: 200), encryptionConfirmed: true,
                                 contents: try Text.required(draft.contents, field: "contents", max: 1000), issuedAt: now, dueBack: draft.dueBack,
                                 outcome: .issued, createdAt: now)
        try await insert(device, audit: .mediaIssued, by: user, at: now)
        return device
    }

    /// Records how a device ended: wiped, destroyed, or lost (which opens an incident at once).
    public func closeDevice(_ id: String, outcome: MediaDevice.Outcome, note: String, by user: User) async throws -> MediaDevice {
        guard outcome != .issued else { throw SafehavenError.invalid("outcome", "Say whether the device was wiped, destroyed or lost.") }
        let text = try Text.optional(note, field: "note", max: 2000)
        if outcome == .lost && text.isEmpty {
            throw SafehavenError.invalid("note", "Say where and when it was last seen: an incident is opened with it.")
        }
        let now = deps.clock.now()
        let incidentID = outcome == .lost ? deps.ids.next() : nil
        let vault = RecordVault(deps)
        let device = try await change(id, as: MediaDevice.self, by: user, audit: .mediaClosed) { device in
            guard device.outcome == .issued else { throw SafehavenError.conflict("already_closed", "This device is already recorded as \(device.outcome.rawValue).") }
            device.outcome = outcome
            device.closedAt = now
            device.closedBy = user.id
            device.closeNote = text
            device.incidentID = incidentID
            return ["outcome": outcome.rawValue]
        } also: { tx, device in
            if let incidentID {
                let incident = Incident(id: incidentID, organisationID: device.organisationID, team: user.department, reportedBy: user.id, kind: .loss,
                                        description: "Removable device lost: \(device.device), serial \(device.serial). \(text)", awareAt: now, createdAt: now)
                try await tx.insert(try vault.seal(incident, at: now))
                try await tx.appendAudit(AuditEntry(.incidentReported, actor: user.id, organisation: user.organisationID, target: incident.id,
                                                    details: ["kind": incident.kind.rawValue]), at: now)
            }
        }
        return device
    }

    public func devices(for user: User) async throws -> [MediaDevice] { try await deps.records(MediaDevice.self, for: user).map(\.body) }

    // MARK: reminders

    /// Queues one reminder per overdue item or device, to the holder and the managers of their
    /// team; run by the background jobs. Returns how many notices were queued.
    @discardableResult
    public func queueOverdueReminders() async throws -> Int {
        let now = deps.clock.now()
        let ids = deps.ids
        var queued = 0
        for (kind, state, what, path) in [(StoredRecord.Kind.offsite, "out", "Information taken off site", "/records/offsite"),
                                          (.media, "issued", "A removable device", "/records/media")] {
            let due = try await deps.store.read { try await $0.recordsDue(kind, state: state, before: now) }.filter { $0.remindedAt == nil }
            for row in due {
                queued += try await deps.store.write { tx in
                    guard let fresh = try await tx.record(id: row.id), fresh.remindedAt == nil, let dueAt = fresh.dueAt else { return 0 }
                    let people = try await tx.users(organisationID: fresh.organisationID).filter { person in
                        !person.disabled && (person.id == fresh.ownerID || (person.has(.manager) && !fresh.team.isEmpty && person.department == fresh.team))
                    }
                    var count = 0
                    for person in people {
                        if try await tx.enqueue(Notifications.overdue(what: what, recordID: fresh.id, path: path, due: dueAt, to: person, ids: ids, at: now)) { count += 1 }
                    }
                    _ = try await tx.update(fresh.reminded(at: now))
                    return count
                }
            }
        }
        return queued
    }

    // MARK: shared

    func insert<T: RecordBody>(_ body: T, audit action: AuditAction, by user: User, at now: Date) async throws {
        let row = try RecordVault(deps).seal(body, at: now)
        try await deps.store.write { tx in
            try await tx.insert(row)
            try await tx.appendAudit(AuditEntry(action, actor: user.id, organisation: user.organisationID, target: body.id), at: now)
        }
    }

    /// Reads a record the user may see, applies `edit` and writes the next version with its audit
    /// event, in one transaction.
    func change<T: RecordBody>(_ id: String, as type: T.Type, by user: User, audit action: AuditAction,
                               _ edit: @escaping @Sendable (inout T) throws -> [String: String],
                               also: @escaping @Sendable (any StoreWriter, T) async throws -> Void = { _, _ in }) async throws -> T {
        let now = deps.clock.now()
        let dependencies = deps
        return try await deps.store.write { tx in
            var current = try await dependencies.record(id, as: T.self, for: user, in: tx)
            let details = try edit(&current.body)
            _ = try await dependencies.save(current.body, after: current.row, in: tx)
            try await also(tx, current.body)
            try await tx.appendAudit(AuditEntry(action, actor: user.id, organisation: user.organisationID, target: id, details: details), at: now)
            return current.body
        }
    }
}
