import Foundation

/// The register: every disclosure (Safehaven's own are written with the share), and what people
/// record by hand: disclosures made another way with the channel's checklist confirmed, decisions
/// not to share and why, information received. Entries are never changed; a correction is a new
/// entry that names the one it corrects.
public struct RegisterService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// Information governance officers and administrators see the whole organisation's register.
    public static func canRead(_ user: User) -> Bool { RecordScope.wholeOrganisation(user) }

    /// Whether an entry is within what this person may see: their own; their team's for a manager;
    /// the whole organisation's for information governance officers and administrators; never
    /// another organisation's.
    public static func inScope(_ entry: Disclosure, for user: User) -> Bool {
        RecordScope.allows(organisationID: entry.organisationID, team: entry.team, ownerID: entry.recordedBy, for: user)
    }

    /// The entries this person may see, newest first, optionally between two times.
    public func disclosures(for user: User, from: Date? = nil, to: Date? = nil) async throws -> [Disclosure] {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let organisation = user.organisationID
        let all = try await deps.store.read { try await $0.disclosures(organisationID: organisation) }
        return all.filter { entry in
            Self.inScope(entry, for: user) && from.map { entry.at >= $0 } ?? true && to.map { entry.at < $0 } ?? true
        }
    }

    /// What someone records by hand.
    public struct Entry: Sendable {
        public var kind: Disclosure.Kind
        public var method: Disclosure.Method
        public var at: Date?
        public var reason: String
        public var informationType: String
        public var authorisedBy: String
        public var recipientName: String
        public var recipientJobTitle: String
        public var recipientOrganisation: String
        public var recipientPhone: String
        public var recipientEmail: String
        public var confirmations: [String]
        /// For a disclosure: its lawful basis, the people it was about, and for consent the consent relied on.
        public var lawfulBasis: String
        public var caseReferences: [String]
        public var consentID: String
        public var justification: String
        public init(kind: Disclosure.Kind, method: Disclosure.Method, at: Date? = nil, reason: String, informationType: String,
                    authorisedBy: String = "", recipientName: String = "", recipientJobTitle: String = "", recipientOrganisation: String = "",
                    recipientPhone: String = "", recipientEmail: String = "", confirmations: [String] = [], lawfulBasis: String = "",
                    caseReferences: [String] = [], consentID: String = "", justification: String = "") {
            self.lawfulBasis = lawfulBasis
            self.caseReferences = caseReferences
            self.consentID = consentID
            self.justification = justification
            self.kind = kind
            self.method = method
            self.at = at
            self.reason = reason
            self.informationType = informationType
            self.authorisedBy = authorisedBy
            self.recipientName = recipientName
            self.recipientJobTitle = recipientJobTitle
            self.recipientOrganisation = recipientOrganisation
            self.recipientPhone = recipientPhone
            self.recipientEmail = recipientEmail
            self.confirmations = confirmations
        }
    }

    /// The checklist a disclosure by this method must have followed (none for Safehaven's own,
    /// which are recorded automatically, or for entries where nothing went out).
    public static func checklist(for method: Disclosure.Method) -> [String] {
        let channel: Channel? = switch method {
        case .telephone: .telephone
        case .fax: .fax
        case .post: .post
        case .inPerson: .inPerson
        case .removableMedia: .removableMedia
        case .secureEmail: .secureEmail
        case .sms: .sms
        case .encryptedArchive: .encryptedArchive
        case .safehaven, .none: nil
        }
        return channel.map { Checklists.checklist(for: $0).steps } ?? []
    }

    /// Records an entry, or (with `correcting`) a correction of one the person may see.
    @discardableResult
    public func record(_ entry: Entry, by user: User, correcting: String? = nil) async throws -> Disclosure {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let now = deps.clock.now()
        let at = entry.at ?? now
        guard at <= now.addingTimeInterval(300) else { throw SafehavenError.invalid("at", "A record cannot be dated in the future.") }
        let reason = try Text.required(entry.reason, field: "reason", max: 2000)
        let information = try Text.required(entry.informationType, field: "information_type", max: 500)
        var method = entry.method
        let name = try Text.optional(entry.recipientName, field: "recipient_name", max: 200)
        let job = try Text.optional(entry.recipientJobTitle, field: "recipient_job_title", max: 200)
        let org = try Text.optional(entry.recipientOrganisation, field: "recipient_organisation", max: 200)
        let phone = try Text.optional(entry.recipientPhone, field: "recipient_phone", max: 40)
        var email = try Text.optional(entry.recipientEmail, field: "recipient_email", max: 320)
        let authorised = try Text.optional(entry.authorisedBy, field: "authorised_by", max: 200)
        var confirmations: [String] = []
        var basis = CheckedBasis()
        switch entry.kind {
        case .disclosure:
            guard method != .safehaven, method != .none else {
                throw SafehavenError.invalid("method", "Say how it was shared: telephone, fax, post, in person, secure email, removable media or text message. Safehaven records its own shares itself.")
            }
            for (value, field, label) in [(name, "recipient_name", "The recipient's name"), (job, "recipient_job_title", "Their job title"),
                                          (org, "recipient_organisation", "Their organisation"), (phone, "recipient_phone", "Their telephone number")]
                where value.isEmpty {
                throw SafehavenError.invalid(field, "\(label) is required: the register must show who received the information.")
            }
            if !email.isEmpty { email = try EmailAddress.normalise(email, field: "recipient_email") }
            let steps = Self.checklist(for: method)
            let missing = steps.filter { !entry.confirmations.contains($0) }
            guard missing.isEmpty else {
                throw SafehavenError.invalid("confirmations", "Confirm each step of the checklist for this channel (\(missing.count) not confirmed).")
            }
            confirmations = steps
            basis = try await checkBasis(entry, authorisedBy: authorised, user: user)
        case .decisionNotToShare, .received:
            method = .none
            if entry.kind == .decisionNotToShare && name.isEmpty && org.isEmpty {
                throw SafehavenError.invalid("recipient_organisation", "Say who asked for the information (a person or an organisation).")
            }
            if !email.isEmpty { email = try EmailAddress.normalise(email, field: "recipient_email") }
        }
        var record = Disclosure(id: deps.ids.next(), organisationID: user.organisationID, shareID: nil, recordedBy: user.id, at: at,
                                method: method, reason: reason, informationType: information, authorisedBy: authorised.isEmpty ? nil : authorised,
                                recipientName: name, recipientJobTitle: job, recipientOrganisation: org, recipientPhone: phone, recipientEmail: email)
        record.kind = entry.kind
        record.confirmations = confirmations
        record.team = user.department
        record.corrects = correcting
        if entry.kind != .disclosure {
            // Who the decision or the information was about, when known.
            basis.subjects = try await SubjectService(deps).resolve(entry.caseReferences, organisationID: user.organisationID)
        }
        record.lawfulBasis = basis.basis?.rawValue ?? ""
        record.justification = basis.justification
        record.consentID = basis.consentID
        record.subjects = basis.subjects.map(\.caseReference)
        let subjectIDs = basis.subjects.map(\.id)
        let saved = record
        try await deps.store.write { tx in
            if let correcting {
                guard let original = try await tx.disclosure(id: correcting), Self.inScope(original, for: user) else { throw SafehavenError.notFound }
            }
            try await tx.insert(saved)
            for subject in subjectIDs { try await tx.insert(RecordLink(recordID: subject, kind: .disclosureSubject, targetID: saved.id, at: now)) }
            try await tx.appendAudit(AuditEntry(correcting == nil ? .registerRecorded : .registerCorrected, actor: user.id,
                                                organisation: user.organisationID, target: saved.id,
                                                details: ["kind": saved.kind.rawValue, "method": saved.method.rawValue]), at: now)
        }
        return saved
    }

    /// The columns of an export, in order; documented in docs/records.md and never reordered.
    public static let columns = ["id", "kind", "at", "method", "reason", "information_type", "authorised_by", "recorded_by",
                                 "recorded_by_name", "team", "share_id", "recipient_name", "recipient_job_title", "recipient_organisation",
                                 "recipient_phone", "recipient_email", "checklist_confirmed", "corrects", "lawful_basis", "justification",
                                 "consent_id", "case_references"]

    /// The entries as rows of the export columns, with the recorder's name.
    public func exportRows(for user: User, from: Date? = nil, to: Date? = nil) async throws -> [[String]] {
        try await rows(try await disclosures(for: user, from: from, to: to))
    }

    /// An operator's export of one organisation's whole register (the command line).
    public func exportRows(organisation idOrDomain: String, from: Date? = nil, to: Date? = nil) async throws -> [[String]] {
        guard let organisation = try await DirectoryService(deps).findOrganisation(idOrDomain) else {
            throw SafehavenError.invalid("organisation", "No organisation has that id or domain.")
        }
        let all = try await deps.store.read { try await $0.disclosures(organisationID: organisation.id) }
        return try await rows(all.filter { entry in from.map { entry.at >= $0 } ?? true && to.map { entry.at < $0 } ?? true })
    }

    /// Entries (newest first) as export rows, oldest first, with the recorder's name.
    public func rows(_ entries: [Disclosure]) async throws -> [[String]] {
        let recorders = Set(entries.map(\.recordedBy))
        var names: [String: String] = [:]
        for id in recorders { names[id] = try await deps.store.read { try await $0.user(id: id) }?.name ?? "" }
        return entries.reversed().map { d in
            [d.id, d.kind.rawValue, ISODate.format(d.at), d.method.rawValue, d.reason, d.informationType, d.authorisedBy ?? "", d.recordedBy,
             names[d.recordedBy] ?? "", d.team, d.shareID ?? "", d.recipientName, d.recipientJobTitle, d.recipientOrganisation,
             d.recipientPhone, d.recipientEmail, d.confirmations.joined(separator: " | "), d.corrects ?? "", d.lawfulBasis, d.justification,
             d.consentID ?? "", d.subjects.joined(separator: " | ")]
        }
    }

    /// RFC 4180 CSV: every field quoted, quotes doubled, CRLF line ends; a field that starts
    /// with = + - @ gets a leading apostrophe so no spreadsheet runs it as a formula.
    public static func csv(_ rows: [[String]], columns: [String] = columns) -> String {
        ([columns] + rows).map { row in
            row.map { field in
                var value = field
                if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
                return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    struct CheckedBasis {
        var basis: LawfulBasis?
        var justification = ""
        var consentID: String?
        var subjects: [DataSubject] = []
    }

    /// A disclosure made another way states its basis as a share does: consent needs a live
    /// consent for each person named; any other basis a justification and the manager who
    /// authorised it.
    func checkBasis(_ entry: Entry, authorisedBy: String, user: User) async throws -> CheckedBasis {
        guard let basis = LawfulBasis(rawValue: entry.lawfulBasis) else {
            throw SafehavenError.invalid("lawful_basis", "Say the lawful basis it was shared under: \(LawfulBasis.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var checked = CheckedBasis(basis: basis)
        checked.justification = try Text.optional(entry.justification, field: "justification", max: 4000)
        if basis == .noPersonalData {
            guard entry.caseReferences.allSatisfy({ DataSubject.key($0).isEmpty }) else {
                throw SafehavenError.invalid("lawful_basis", "You named people it was about, so choose the lawful basis for sharing about them.")
            }
            return checked
        }
        checked.subjects = try await SubjectService(deps).resolve(entry.caseReferences, organisationID: user.organisationID)
        guard !checked.subjects.isEmpty else {
            throw SafehavenError.invalid("case_references", "Give the case reference of each person it was about.")
        }
        if basis == .consent {
            let vault = RecordVault(deps)
            for subject in checked.subjects {
                let rows = try await deps.store.read { try await $0.records(.consent, subjectID: subject.id) }
                let live = try rows.filter { $0.organisationID == user.organisationID && $0.state == "live" }.map { try vault.open($0, as: Consent.self) }
                    .filter { entry.consentID.isEmpty || $0.id == entry.consentID }
                guard let consent = live.first else {
                    throw SafehavenError(.unprocessable, code: "no_consent", message: "No live consent is recorded for \(subject.caseReference). Record it first, or choose another basis.")
                }
                checked.consentID = checked.consentID ?? consent.id
            }
        } else {
            guard checked.justification.count >= 20 else {
                throw SafehavenError.invalid("justification", "Explain in a sentence or two why sharing without consent was justified.")
            }
            guard !authorisedBy.isEmpty else {
                throw SafehavenError.invalid("authorised_by", "Sharing without consent needs a manager's authorisation: name the manager who gave it.")
            }
        }
        return checked
    }
}
