import Foundation

/// Incidents: a loss, a misdirected share, information seen by someone who should not have seen
/// it. Reported at once; the shares involved linked and recalled in one action; who was told and
/// when; the 72 hours to the regulator from the moment of awareness, with the decision and why;
/// closed with the lessons learned.
public struct IncidentService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    var logbook: LogbookService { LogbookService(deps) }

    public func report(kind raw: String, description: String, awareAt: Date?, shareIDs: [String] = [], by user: User) async throws -> Incident {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        guard let kind = Incident.Kind(rawValue: raw) else {
            throw SafehavenError.invalid("kind", "Say what happened: loss, misdirection, unauthorised-access or other.")
        }
        let now = deps.clock.now()
        let aware = awareAt ?? now
        guard aware <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("aware_at", "The moment you became aware cannot be in the future.") }
        let incident = Incident(id: deps.ids.next(), organisationID: user.organisationID, team: user.department, reportedBy: user.id, kind: kind,
                                description: try Text.required(description, field: "description", max: 4000), awareAt: aware, createdAt: now)
        try await logbook.insert(incident, audit: .incidentReported, by: user, at: now)
        for share in shareIDs { _ = try await link(incident.id, share: share, by: user) }
        return incident
    }

    public func incidents(for user: User) async throws -> [Incident] { try await deps.records(Incident.self, for: user).map(\.body) }

    public func incident(_ id: String, for user: User) async throws -> Incident {
        try await deps.store.read { [deps] db in try await deps.record(id, as: Incident.self, for: user, in: db) }.body
    }

    /// The shares linked to an incident, with their state now.
    public func shares(of id: String, for user: User) async throws -> [Share] {
        let incident = try await incident(id, for: user)
        return try await deps.store.read { db in
            var out: [Share] = []
            for shareID in incident.shareIDs { if let share = try await db.share(id: shareID) { out.append(share) } }
            return out
        }
    }

    /// Links a share of the organisation that the user may act on (one they sent, or any of their
    /// team's or organisation's by role). Others are not found.
    public func link(_ id: String, share shareID: String, by user: User) async throws -> Incident {
        let share = try await shareInScope(shareID, for: user)
        let now = deps.clock.now()
        return try await logbook.change(id, as: Incident.self, by: user, audit: .incidentShareLinked) { incident in
            guard incident.closedAt == nil else { throw SafehavenError.conflict("incident_closed", "This incident is closed.") }
            if !incident.shareIDs.contains(share.id) { incident.shareIDs.append(share.id) }
            return ["share": share.id]
        } also: { tx, _ in
            try await tx.insert(RecordLink(recordID: id, kind: .incidentShare, targetID: share.id, at: now))
        }
    }

    func shareInScope(_ shareID: String, for user: User) async throws -> Share {
        let found = try await deps.store.read { db -> (Share, User?)? in
            guard let share = try await db.share(id: shareID) else { return nil }
            return (share, try await db.user(id: share.senderID))
        }
        guard let (share, sender) = found,
              RecordScope.allows(organisationID: share.senderOrganisationID, team: sender?.department ?? "", ownerID: share.senderID, for: user) else {
            throw SafehavenError.notFound
        }
        return share
    }

    /// Recalls every linked share at once: each is withdrawn (its recipients told, its content
    /// destroyed). Returns how many were withdrawn by this call.
    public func recall(_ id: String, by user: User) async throws -> Int {
        let shares = try await shares(of: id, for: user)
        let sharing = ShareService(deps)
        var withdrawn: [String] = []
        for share in shares where share.revokedAt == nil && share.destroyedAt == nil {
            if try await sharing.withdraw(share, by: user, details: ["incident": id]) { withdrawn.append(share.id) }
        }
        let now = deps.clock.now()
        let ids = shares.map(\.id)
        let count = withdrawn.count
        _ = try await logbook.change(id, as: Incident.self, by: user, audit: .incidentRecalled) { incident in
            for share in ids where incident.recalled[share] == nil { incident.recalled[share] = now }
            return ["withdrawn": String(count)]
        }
        return withdrawn.count
    }

    /// Records that the line manager, the IT service desk or the data protection officer was told.
    public func told(_ id: String, party raw: String, name: String, at: Date?, reference: String, by user: User) async throws -> Incident {
        guard let party = Incident.Party(rawValue: raw) else {
            throw SafehavenError.invalid("party", "Say who was told: line-manager, service-desk or dpo.")
        }
        let who = try Text.required(name, field: "name", max: 200)
        let ref = try Text.optional(reference, field: "reference", max: 200)
        let now = deps.clock.now()
        let when = at ?? now
        guard when <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("at", "That time is in the future.") }
        return try await logbook.change(id, as: Incident.self, by: user, audit: .incidentPartyTold) { incident in
            guard incident.closedAt == nil else { throw SafehavenError.conflict("incident_closed", "This incident is closed.") }
            incident.told.append(.init(party: party, name: who, at: when, reference: ref, recordedBy: user.id))
            return ["party": party.rawValue]
        }
    }

    /// The decision to report to the regulator or not, and why. Information governance officers
    /// (the DPO) and managers decide; a report can carry its reference and time.
    public func decide(_ id: String, report: Bool, reason raw: String, reportedAt: Date?, reference: String, by user: User) async throws -> Incident {
        guard user.has(.igOfficer) || user.has(.manager) || user.has(.admin) else {
            throw SafehavenError.forbidden("not_allowed", "The data protection officer or a manager records the decision to report.")
        }
        let reason = try Text.required(raw, field: "reason", max: 4000)
        let ref = try Text.optional(reference, field: "reference", max: 200)
        let now = deps.clock.now()
        return try await logbook.change(id, as: Incident.self, by: user, audit: .incidentDecided) { incident in
            guard incident.closedAt == nil else { throw SafehavenError.conflict("incident_closed", "This incident is closed.") }
            incident.decision = report ? .report : .noReport
            incident.decisionReason = reason
            incident.decidedBy = user.id
            incident.decidedAt = now
            if report, let reportedAt {
                guard reportedAt <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("reported_at", "That time is in the future.") }
                incident.regulatorReportedAt = reportedAt
                incident.regulatorReference = ref
            }
            let late = report && (incident.regulatorReportedAt ?? now) > incident.deadline
            return ["decision": incident.decision.rawValue, "after_deadline": String(late)]
        }
    }

    /// Closes an incident with the lessons learned; needs the decision about the regulator first.
    public func close(_ id: String, lessons raw: String, by user: User) async throws -> Incident {
        let lessons = try Text.required(raw, field: "lessons", max: 4000)
        let now = deps.clock.now()
        return try await logbook.change(id, as: Incident.self, by: user, audit: .incidentClosed) { incident in
            guard incident.closedAt == nil else { throw SafehavenError.conflict("incident_closed", "This incident is already closed.") }
            guard incident.decision != .undecided else {
                throw SafehavenError.invalid("lessons", "Record the decision to report to the regulator or not before closing the incident.")
            }
            incident.closedAt = now
            incident.closedBy = user.id
            incident.lessons = lessons
            return [:]
        }
    }

    /// Warns the reporter and the organisation's IG officers once, when a day is left of an open
    /// incident's 72 hours and nothing has been decided. Run by the background jobs.
    @discardableResult
    public func queueDeadlineWarnings(hoursBefore: Double = 24) async throws -> Int {
        let now = deps.clock.now()
        let ids = deps.ids
        let vault = RecordVault(deps)
        let due = try await deps.store.read { try await $0.recordsDue(.incident, state: "open", before: now.addingTimeInterval(hoursBefore * 3600)) }
            .filter { $0.remindedAt == nil }
        var queued = 0
        for row in due {
            queued += try await deps.store.write { tx in
                guard let fresh = try await tx.record(id: row.id), fresh.remindedAt == nil, fresh.dueAt != nil else { return 0 }
                let incident = try vault.open(fresh, as: Incident.self)
                let people = try await tx.users(organisationID: fresh.organisationID).filter {
                    !$0.disabled && ($0.id == incident.reportedBy || $0.has(.igOfficer))
                }
                var count = 0
                for person in people where try await tx.enqueue(Notifications.incidentDeadline(incident, to: person, ids: ids, at: now)) { count += 1 }
                _ = try await tx.update(fresh.reminded(at: now))
                return count
            }
        }
        return queued
    }
}
