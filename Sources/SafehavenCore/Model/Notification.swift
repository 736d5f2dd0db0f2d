import Foundation

/// A notification waiting in the outbox, written in the same transaction as the change that causes
/// it. It carries only what the message may say: never a share's subject, message, file names or
/// the names of the people concerned.
public struct OutboxMessage: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case shareAnnounced = "share_announced"
        case replied
        case receiptConfirmed = "receipt_confirmed"
        case revoked
        case expiringSoon = "expiring_soon"
        case invitation
        /// A manager is asked to authorise a share.
        case authorisationRequested = "authorisation_requested"
        /// The sender hears whether their share was authorised.
        case authorisationDecided = "authorisation_decided"
        /// The sender of a share made under a consent hears it was withdrawn.
        case consentWithdrawn = "consent_withdrawn"
        /// Something taken off site or a device is overdue.
        case recordOverdue = "record_overdue"
        /// An incident's 72 hours to the regulator are nearly up.
        case incidentDeadline = "incident_deadline"
    }

    public enum State: String, Codable, Sendable, CaseIterable {
        /// Waiting for its turn (first try or a retry).
        case queued
        /// Claimed by a worker until `leaseUntil`; a lapsed lease puts it back in the queue.
        case sending
        /// The mail relay accepted it (250 after DATA), or it was written as a file.
        case accepted
        /// Refused for good (5xx), or retried until the dead-letter time passed: an administrator acts on it.
        case failed
    }

    public var id: String
    public var kind: Kind
    /// Where it goes.
    public var to: String
    /// Stable across every attempt, so a receiving system can drop a repeat.
    public var messageID: String
    /// Settles duplicates: one notification per event (`announce:share:recipient`…).
    public var dedupeKey: String
    /// The template's values, as JSON.
    public var payload: [String: String]
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var leaseOwner: String?
    public var leaseUntil: Date?
    /// The last refusal or failure, as the relay gave it (no content of the message).
    public var lastError: String?
    public var createdAt: Date
    public var acceptedAt: Date?
    public var shareID: String?

    public init(id: String, kind: Kind, to: String, messageID: String, dedupeKey: String, payload: [String: String],
                createdAt: Date, shareID: String? = nil) {
        self.id = id
        self.kind = kind
        self.to = to
        self.messageID = messageID
        self.dedupeKey = dedupeKey
        self.payload = payload
        self.state = .queued
        self.attempts = 0
        self.nextAttemptAt = createdAt
        self.createdAt = createdAt
        self.shareID = shareID
    }
}
