import Foundation

/// The records beyond the register, exported with fixed columns (documented in docs/records.md,
/// never reordered; new columns are added at the end): consents, the off-site log, the
/// removable-media log and incidents. People are named as their accounts are named now.
public struct RecordsExport: Sendable {
    public enum Set: String, Sendable, CaseIterable {
        case register, consents, offsite, media, incidents
    }

    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public static func columns(_ set: Set) -> [String] {
        switch set {
        case .register: return RegisterService.columns
        case .consents:
            return ["id", "case_reference", "given_by", "giver_name", "capacity_note", "purposes", "recipients", "recipient_kinds", "information",
                    "limits", "given_at", "review_by", "recorded_by_name", "recorded_at", "withdrawn_at", "withdrawal_note"]
        case .offsite:
            return ["id", "holder_name", "what", "why", "taken_at", "due_back", "returned_at", "recorded_by_name", "overdue"]
        case .media:
            return ["id", "holder_name", "device", "serial", "encryption", "encryption_confirmed", "contents", "issued_at", "due_back", "outcome",
                    "closed_at", "closed_by_name", "close_note", "incident_id"]
        case .incidents:
            return ["id", "kind", "description", "aware_at", "reported_by_name", "recorded_at", "regulator_deadline", "line_manager_told",
                    "service_desk_told", "dpo_told", "decision", "decision_reason", "decided_at", "regulator_reported_at", "regulator_reference",
                    "shares", "recalled", "closed_at", "lessons"]
        }
    }

    /// The rows this user may see.
    public func rows(_ set: Set, for user: User, from: Date? = nil, to: Date? = nil) async throws -> [[String]] {
        switch set {
        case .register: return try await RegisterService(deps).exportRows(for: user, from: from, to: to)
        case .consents: return try await rows(try await deps.records(Consent.self, for: user).map(\.body), from: from, to: to)
        case .offsite: return try await rows(try await deps.records(OffsiteItem.self, for: user).map(\.body), from: from, to: to)
        case .media: return try await rows(try await deps.records(MediaDevice.self, for: user).map(\.body), from: from, to: to)
        case .incidents: return try await rows(try await deps.records(Incident.self, for: user).map(\.body), from: from, to: to)
        }
    }

    /// An operator's export of one organisation's whole set (the command line).
    public func rows(_ set: Set, organisation idOrDomain: String, from: Date? = nil, to: Date? = nil) async throws -> [[String]] {
        if set == .register { return try await RegisterService(deps).exportRows(organisation: idOrDomain, from: from, to: to) }
        guard let organisation = try await DirectoryService(deps).findOrganisation(idOrDomain) else {
            throw SafehavenError.invalid("organisation", "No organisation has that id or domain.")
        }
        let kind: StoredRecord.Kind = switch set {
        case .consents: .consent
        case .offsite: .offsite
        case .media: .media
        default: .incident
        }
        let stored = try await deps.store.read { try await $0.records(kind, organisationID: organisation.id) }
        let vault = RecordVault(deps)
        switch set {
        case .consents: return try await rows(try stored.map { try vault.open($0, as: Consent.self) }, from: from, to: to)
        case .offsite: return try await rows(try stored.map { try vault.open($0, as: OffsiteItem.self) }, from: from, to: to)
        case .media: return try await rows(try stored.map { try vault.open($0, as: MediaDevice.self) }, from: from, to: to)
        default: return try await rows(try stored.map { try vault.open($0, as: Incident.self) }, from: from, to: to)
        }
    }

    private func rows<T: RecordBody>(_ bodies: [T], from: Date?, to: Date?) async throws -> [[String]] {
        let chosen = bodies.filter { b in from.map { b.createdAt >= $0 } ?? true && to.map { b.createdAt < $0 } ?? true }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        var names: [String: String] = [:]
        func name(_ id: String?) async throws -> String {
            guard let id, !id.isEmpty else { return "" }
            if let known = names[id] { return known }
            let found = try await deps.store.read { try await $0.user(id: id) }?.name ?? ""
            names[id] = found
            return found
        }
        var subjects: [String: String] = [:]
        let vault = RecordVault(deps)
        func reference(_ id: String?) async throws -> String {
            guard let id else { return "" }
            if let known = subjects[id] { return known }
            let row = try await deps.store.read { try await $0.record(id: id) }
            let found = try row.map { try vault.open($0, as: DataSubject.self).caseReference } ?? ""
            subjects[id] = found
            return found
        }
        let now = deps.clock.now()
        func at(_ date: Date?) -> String { date.map(ISODate.format) ?? "" }
        var out: [[String]] = []
        for body in chosen {
            switch body {
            case let c as Consent:
                out.append([c.id, try await reference(c.subjectID), c.givenBy.rawValue, c.giverName, c.capacityNote, c.purposes.joined(separator: " | "),
                            c.recipients.joined(separator: " | "), c.recipientKinds, c.information, c.limits, at(c.givenAt), at(c.reviewBy),
                            try await name(c.recordedBy), at(c.createdAt), at(c.withdrawnAt), c.withdrawalNote ?? ""])
            case let o as OffsiteItem:
                out.append([o.id, try await name(o.holderID), o.what, o.why, at(o.takenAt), at(o.dueBack), at(o.returnedAt), try await name(o.recordedBy),
                            o.returnedAt == nil && o.dueBack < now ? "yes" : "no"])
            case let m as MediaDevice:
                out.append([m.id, try await name(m.holderID), m.device, m.serial, m.encryption, m.encryptionConfirmed ? "yes" : "no", m.contents,
                            at(m.issuedAt), at(m.dueBack), m.outcome.rawValue, at(m.closedAt), try await name(m.closedBy), m.closeNote ?? "", m.incidentID ?? ""])
            case let i as Incident:
                func told(_ party: Incident.Party) -> String {
                    i.told.filter { $0.party == party }.map { "\($0.name) \(ISODate.format($0.at))" + ($0.reference.isEmpty ? "" : " (\($0.reference))") }
                        .joined(separator: " | ")
                }
                out.append([i.id, i.kind.rawValue, i.description, at(i.awareAt), try await name(i.reportedBy), at(i.createdAt), at(i.deadline),
                            told(.lineManager), told(.serviceDesk), told(.dpo), i.decision.rawValue, i.decisionReason ?? "", at(i.decidedAt),
                            at(i.regulatorReportedAt), i.regulatorReference ?? "", i.shareIDs.joined(separator: " | "),
                            i.recalled.sorted { $0.key < $1.key }.map { "\($0.key) \(ISODate.format($0.value))" }.joined(separator: " | "),
                            at(i.closedAt), i.lessons ?? ""])
            default: break
            }
        }
        return out
    }

    /// RFC 4180 CSV with the set's header row; formulas defused as in the register's export.
    public static func csv(_ set: Set, _ rows: [[String]]) -> String {
        RegisterService.csv(rows, columns: columns(set))
    }
}
