import Foundation

/// A record of the records pillar as Core sees it: a typed body, sealed whole when stored. Each
/// says what the database may know about it in the clear.
public protocol RecordBody: Codable, Sendable, Equatable {
    static var kind: StoredRecord.Kind { get }
    var id: String { get }
    var organisationID: String { get }
    var team: String { get }
    /// Whose record it is, for "your own records".
    var ownerID: String { get }
    var createdAt: Date { get }
    var state: String { get }
    /// What it waits for (review, return, the regulator's deadline), nil when nothing.
    var dueAt: Date? { get }
    var subjectID: String? { get }
    var lookup: String? { get }
}

extension RecordBody {
    public var subjectID: String? { nil }
    public var lookup: String? { nil }
}

/// Why information about a person may be shared. Consent must match a live consent; the others
/// set confidentiality aside and need a written justification and a manager's authorisation.
public enum LawfulBasis: String, Codable, Sendable, CaseIterable {
    case consent
    case publicInterest = "public-interest"
    case legalDuty = "legal-duty"
    case vitalInterests = "vital-interests"
    case safeguarding
    /// Nothing in the share is about an identifiable person (a blank form, a policy, a rota).
    case noPersonalData = "no-personal-data"

    public var label: String {
        switch self {
        case .consent: return "Consent"
        case .publicInterest: return "Public interest (overriding confidentiality)"
        case .legalDuty: return "A legal duty"
        case .vitalInterests: return "Vital interests (to protect someone's life)"
        case .safeguarding: return "Safeguarding a child or adult at risk"
        case .noPersonalData: return "Not about an identifiable person"
        }
    }

    /// Sharing without consent: the sender writes why, and a manager authorises it.
    public var overridesConsent: Bool { self != .consent && self != .noPersonalData }
}

/// A person the information is about, known by a case reference and a display name.
public struct DataSubject: RecordBody {
    public static let kind = StoredRecord.Kind.subject
    public var id: String
    public var organisationID: String
    public var team: String
    public var caseReference: String
    public var displayName: String
    public var createdBy: String
    public var createdAt: Date
    public var ownerID: String { createdBy }
    public var state: String { "open" }
    public var dueAt: Date? { nil }
    public var lookup: String? { Self.key(caseReference) }

    /// Case references compare without case or spaces: `cp-2026 0113` is `CP-20260113`.
    public static func key(_ reference: String) -> String {
        String(reference.uppercased().unicodeScalars.filter { !CharacterSet.whitespaces.contains($0) }.map(Character.init))
    }
}

/// Consent to share information about a data subject, with its limits.
public struct Consent: RecordBody {
    public static let kind = StoredRecord.Kind.consent
    public enum GivenBy: String, Codable, Sendable, CaseIterable {
        case person, parent, carer, representative
        public var label: String {
            switch self {
            case .person: return "The person themselves"
            case .parent: return "A parent or someone with parental responsibility"
            case .carer: return "A carer"
            case .representative: return "A legal representative or attorney"
            }
        }
    }

    public var id: String
    public var organisationID: String
    public var team: String
    public var subjectID: String?
    public var givenBy: GivenBy
    public var giverName: String
    /// Capacity, or Gillick competence for a child consenting for themselves.
    public var capacityNote: String
    public var purposes: [String]
    /// Organisation ids, or email domains for people outside the directory.
    public var recipients: [String]
    /// Kinds of recipient in words ("the child's GP", "school nurses").
    public var recipientKinds: String
    public var information: String
    public var limits: String
    public var givenAt: Date
    public var reviewBy: Date
    public var recordedBy: String
    public var createdAt: Date
    public var withdrawnAt: Date?
    public var withdrawnRecordedBy: String?
    public var withdrawalNote: String?

    public var ownerID: String { recordedBy }
    public var state: String { withdrawnAt == nil ? "live" : "withdrawn" }
    public var dueAt: Date? { withdrawnAt == nil ? reviewBy : nil }

    /// Why this consent does not cover sending for `purpose` to someone at `organisation` (or
    /// with `email`); nil when it does.
    public func gap(purpose: String, organisationID organisation: String, email: String) -> String? {
        guard withdrawnAt == nil else { return "it was withdrawn" }
        let wanted = purpose.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        guard purposes.contains(where: { $0.lowercased() == wanted }) else {
            return "it does not cover the purpose \"\(purpose)\" (it covers: \(purposes.joined(separator: "; ")))"
        }
        let domain = email.split(separator: "@").last.map(String.init) ?? ""
        let covered = recipients.contains { $0 == organisation || DomainMatch.matches(domain, suffix: $0) }
        return covered ? nil : "it does not cover \(email)'s organisation"
    }
}

/// A share's lawful basis, and its authorisation when it needs one.
public struct ShareBasis: RecordBody {
    public static let kind = StoredRecord.Kind.basis
    public enum Authorisation: String, Codable, Sendable { case notNeeded = "not-needed", pending, approved, refused }

    /// The share's id.
    public var id: String
    public var organisationID: String
    public var team: String
    public var senderID: String
    public var basis: LawfulBasis
    public var justification: String
    public var consentIDs: [String]
    public var subjectIDs: [String]
    /// Where the share goes once authorised (addresses as the sender gave them).
    public var recipients: [String]
    /// Why it needs authorisation (no consent, many people, bulk identifiers).
    public var reasons: [String]
    public var authorisation: Authorisation
    public var createdAt: Date
    public var decidedBy: String?
    public var decidedByName: String?
    public var decidedAt: Date?
    public var refusalReason: String?

    public var ownerID: String { senderID }
    public var state: String { authorisation.rawValue }
    public var dueAt: Date? { nil }

    /// The basis once `manager` has decided, at `now`.
    public func decided(_ outcome: Authorisation, by manager: User, at now: Date, reason: String? = nil) -> ShareBasis {
        var next = self
        next.authorisation = outcome
        next.decidedBy = manager.id
        next.decidedByName = manager.name
        next.decidedAt = now
        next.refusalReason = reason
        return next
    }
}

/// Information taken off site (files, papers, a laptop) and when it came back.
public struct OffsiteItem: RecordBody {
    public static let kind = StoredRecord.Kind.offsite
    public var id: String
    public var organisationID: String
    public var team: String
    public var holderID: String
    public var recordedBy: String
    public var what: String
    public var why: String
    public var takenAt: Date
    public var dueBack: Date
    public var returnedAt: Date?
    public var returnedRecordedBy: String?
    public var createdAt: Date

    public var ownerID: String { holderID }
    public var state: String { returnedAt == nil ? "out" : "returned" }
    public var dueAt: Date? { returnedAt == nil ? dueBack : nil }
}

/// A removable device (memory stick, disc, drive) issued to someone, and how it ended.
public struct MediaDevice: RecordBody {
    public static let kind = StoredRecord.Kind.media
    public enum Outcome: String, Codable, Sendable, CaseIterable { case issued, wiped, destroyed, lost }
    public var id: String
    public var organisationID: String
    public var team: String
    public var holderID: String
    public var recordedBy: String
    public var device: String
    public var serial: String
    /// How it is encrypted ("BitLocker To Go, AES-256").
    public var encryption: String
    public var encryptionConfirmed: Bool
    public var contents: String
    public var issuedAt: Date
    public var dueBack: Date
    public var outcome: Outcome
    public var closedAt: Date?
    public var closedBy: String?
    public var closeNote: String?
    /// The incident opened when it was reported lost.
    public var incidentID: String?
    public var createdAt: Date

    public var ownerID: String { holderID }
    public var state: String { outcome.rawValue }
    public var dueAt: Date? { outcome == .issued ? dueBack : nil }
}

/// A loss, misdirection or unauthorised access, from awareness to lessons learned.
public struct Incident: RecordBody {
    public static let kind = StoredRecord.Kind.incident
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case loss, misdirection
        case unauthorisedAccess = "unauthorised-access"
        case other
        public var label: String {
            switch self {
            case .loss: return "Loss or theft"
            case .misdirection: return "Sent to the wrong person"
            case .unauthorisedAccess: return "Seen by someone who should not have seen it"
            case .other: return "Something else"
            }
        }
    }
    /// Who must be told at once, as the guidance lists them.
    public enum Party: String, Codable, Sendable, CaseIterable {
        case lineManager = "line-manager"
        case serviceDesk = "service-desk"
        case dpo
        public var label: String {
            switch self {
            case .lineManager: return "Line manager"
            case .serviceDesk: return "IT service desk"
            case .dpo: return "Data protection officer"
            }
        }
    }
    public struct Told: Codable, Sendable, Equatable {
        public var party: Party
        public var name: String
        public var at: Date
        public var reference: String
        public var recordedBy: String
    }
    public enum Decision: String, Codable, Sendable { case undecided, report, noReport = "no-report" }

    public var id: String
    public var organisationID: String
    public var team: String
    public var reportedBy: String
    public var kind: Kind
    public var description: String
    /// When the organisation became aware: the regulator's 72 hours run from here.
    public var awareAt: Date
    public var createdAt: Date
    public var told: [Told] = []
    public var decision: Decision = .undecided
    public var decisionReason: String?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var regulatorReportedAt: Date?
    public var regulatorReference: String?
    /// The shares involved, in the order they were linked.
    public var shareIDs: [String] = []
    /// When each linked share was recalled.
    public var recalled: [String: Date] = [:]
    public var closedAt: Date?
    public var closedBy: String?
    public var lessons: String?

    public static let regulatorHours: Double = 72
    public var deadline: Date { awareAt.addingTimeInterval(Self.regulatorHours * 3600) }
    public var ownerID: String { reportedBy }
    public var state: String { closedAt == nil ? "open" : "closed" }
    /// The regulator's deadline, until a decision not to report or the report itself.
    public var dueAt: Date? {
        guard closedAt == nil, decision != .noReport, regulatorReportedAt == nil else { return nil }
        return deadline
    }
}
