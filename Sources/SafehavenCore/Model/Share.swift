import Foundation

/// A share: one message with its attachments, sent by one person to one or more recipients.
/// The message and files are sealed under the share's data key; the wrapped data key is the only
/// way back to the content, so clearing it destroys the content (crypto-shredding).
public struct Share: Codable, Equatable, Sendable {
    public var id: String
    public var senderID: String
    public var senderOrganisationID: String
    public var subject: String
    /// The sealed message (STREAM format, base64); nil once destroyed.
    public var messageSealed: String?
    /// The data key wrapped by the key-encryption key; nil once destroyed.
    public var wrappedKey: String?
    public var marking: Marking
    public var legacyMarking: String?
    public var purpose: String
    public var handling: String
    public var viewOnly: Bool
    public var requireReceipt: Bool
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var expiredAt: Date?
    public var destroyedAt: Date?
    /// The share this one answers, for replies.
    public var parentID: String?
    /// The first share of the conversation (its own id for a new thread).
    public var threadID: String
    /// JSON of the route verdicts and advice shown to the sender when the share was sent.
    public var policyNotes: String?
    /// Waiting for a manager's authorisation: nobody has been sent anything yet.
    public var held = false

    public init(
        id: String, senderID: String, senderOrganisationID: String, subject: String, messageSealed: String?,
        wrappedKey: String?, marking: Marking, legacyMarking: String?, purpose: String, handling: String,
        viewOnly: Bool, requireReceipt: Bool, createdAt: Date, expiresAt: Date, parentID: String?, threadID: String
    ) {
        self.id = id
        self.senderID = senderID
        self.senderOrganisationID = senderOrganisationID
        self.subject = subject
        self.messageSealed = messageSealed
        self.wrappedKey = wrappedKey
        self.marking = marking
        self.legacyMarking = legacyMarking
        self.purpose = purpose
        self.handling = handling
        self.viewOnly = viewOnly
        self.requireReceipt = requireReceipt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = nil
        self.expiredAt = nil
        self.destroyedAt = nil
        self.parentID = parentID
        self.threadID = threadID
    }

    public enum Status: String, Codable, Sendable {
        case active, revoked, expired, destroyed
        /// Held until a manager authorises it.
        case pendingAuthorisation = "pending_authorisation"
    }

    /// Where the share stands at `now`. Expiry applies from the moment it passes, before the
    /// background job has destroyed anything.
    public func status(at now: Date) -> Status {
        if revokedAt != nil { return .revoked }
        if expiredAt != nil || now >= expiresAt { return .expired }
        if destroyedAt != nil { return .destroyed }
        if held { return .pendingAuthorisation }
        return .active
    }
}

/// One addressee of a share: an email address, with the account that reads it when there is one.
/// Someone without an account can be an addressee; the account may be linked later.
public struct Recipient: Codable, Equatable, Sendable {
    public var id: String
    public var shareID: String
    /// The account behind the address; nil for someone who has none (yet).
    public var userID: String?
    public var email: String
    public var receiptAt: Date?
    /// When the recipient removed the share from their inbox.
    public var deletedAt: Date?

    public init(id: String, shareID: String, userID: String?, email: String) {
        self.id = id
        self.shareID = shareID
        self.userID = userID
        self.email = email
    }
}

/// An attachment. `name` is already made safe; the bytes live sealed in the blob store.
public struct ShareFile: Codable, Equatable, Sendable {
    public var id: String
    public var shareID: String
    public var name: String
    public var contentType: String
    public var size: Int64
    /// Hex SHA-256 of the plaintext, so both ends can compare.
    public var sha256: String
    public var blobID: String

    public init(id: String, shareID: String, name: String, contentType: String, size: Int64, sha256: String, blobID: String) {
        self.id = id
        self.shareID = shareID
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.blobID = blobID
    }
}

/// What happened to a share, per recipient, as the sender sees it.
public enum TrackingType: String, Codable, CaseIterable, Sendable {
    case announced, opened, downloaded
    /// A download that stopped because the stored copy failed its integrity check.
    case downloadFailed = "download_failed"
    case receiptConfirmed = "receipt_confirmed"
    case replied, deleted, revoked, expired, destroyed
    /// A file of a view-only share shown in the page (never downloaded).
    case viewed
}

public struct TrackingEvent: Codable, Equatable, Sendable {
    public var id: String
    public var shareID: String
    /// Nil for share-wide events such as `destroyed`.
    public var recipientID: String?
    public var type: TrackingType
    public var at: Date

    public init(id: String, shareID: String, recipientID: String?, type: TrackingType, at: Date) {
        self.id = id
        self.shareID = shareID
        self.recipientID = recipientID
        self.type = type
        self.at = at
    }
}
