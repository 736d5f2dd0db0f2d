import Foundation

/// One row of the records pillar (a data subject, a consent, an authorisation, an off-site item, a
/// removable-media device or an incident). What the queries need — organisation, team, owner,
/// state and the date something falls due — is kept in the clear; everything else, which may
/// name people, is one JSON body sealed under the key-encryption key.
public struct StoredRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case subject, consent, offsite, media, incident
        /// A share's lawful basis and, when it needs one, its authorisation.
        case basis = "share-basis"
    }

    public var id: String
    public var kind: Kind
    public var organisationID: String
    /// The team (department) of the person it belongs to, for managers' view of their team.
    public var team: String
    /// Whose record it is: the recorder, the holder of an item or device, the sender of a share.
    public var ownerID: String
    /// A consent's data subject.
    public var subjectID: String?
    /// A subject's case reference, unique within the organisation.
    public var lookup: String?
    public var state: String
    /// Review date, due-back date, the 72-hour deadline: whatever this kind waits for.
    public var dueAt: Date?
    public var remindedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Counts changes, so two people changing one record cannot overwrite each other.
    public var version: Int
    public var bodySealed: String

    public init(id: String, kind: Kind, organisationID: String, team: String, ownerID: String, subjectID: String?, lookup: String?,
                state: String, dueAt: Date?, remindedAt: Date?, createdAt: Date, updatedAt: Date, version: Int, bodySealed: String) {
        self.id = id
        self.kind = kind
        self.organisationID = organisationID
        self.team = team
        self.ownerID = ownerID
        self.subjectID = subjectID
        self.lookup = lookup
        self.state = state
        self.dueAt = dueAt
        self.remindedAt = remindedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.bodySealed = bodySealed
    }
}

extension StoredRecord {
    /// The same record marked as reminded at `now` (one reminder per due date), as its next version.
    public func reminded(at now: Date) -> StoredRecord {
        var next = self
        next.remindedAt = now
        next.version += 1
        return next
    }
}

/// A link from a record to something else: a share or register entry about a data subject, a
/// share affected by an incident.
public struct RecordLink: Sendable, Equatable {
    public enum Kind: String, Sendable { case shareSubject = "share-subject", disclosureSubject = "disclosure-subject", incidentShare = "incident-share", shareConsent = "share-consent" }
    /// The record (a subject, an incident or a consent).
    public var recordID: String
    public var kind: Kind
    /// The share or register entry.
    public var targetID: String
    public var at: Date

    public init(recordID: String, kind: Kind, targetID: String, at: Date) {
        self.recordID = recordID
        self.kind = kind
        self.targetID = targetID
        self.at = at
    }
}

public protocol RecordReading: Sendable {
    func records(_ kind: StoredRecord.Kind, organisationID: String) async throws -> [StoredRecord]
    func record(id: String) async throws -> StoredRecord?
    func record(_ kind: StoredRecord.Kind, organisationID: String, lookup: String) async throws -> StoredRecord?
    /// Records of one kind in one state falling due before `before` and not reminded since `remindedBefore` (all organisations).
    func recordsDue(_ kind: StoredRecord.Kind, state: String, before: Date) async throws -> [StoredRecord]
    func records(_ kind: StoredRecord.Kind, subjectID: String) async throws -> [StoredRecord]
    func links(recordID: String, kind: RecordLink.Kind) async throws -> [RecordLink]
    func links(targetID: String, kind: RecordLink.Kind) async throws -> [RecordLink]
}

public protocol RecordWriting: RecordReading {
    func insert(_ record: StoredRecord) async throws
    /// Replaces a record only if it is still at `record.version - 1`; false when someone else changed it first.
    func update(_ record: StoredRecord) async throws -> Bool
    func insert(_ link: RecordLink) async throws
}
