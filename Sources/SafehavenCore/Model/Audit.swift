import Foundation

/// Security-relevant things that happen, as recorded in the audit chain.
public enum AuditAction: String, Codable, CaseIterable, Sendable {
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case loginLocked = "login.locked"
    case sessionEnded = "session.ended"
    case organisationCreated = "organisation.created"
    case userCreated = "user.created"
    case userTOTPEnrolled = "user.totp_enrolment_started"
    case userTOTPEnabled = "user.totp_enabled"
    case userTOTPDisabled = "user.totp_disabled"
    case userPasswordChanged = "user.password_changed"
    case userDisabled = "user.disabled"
    case userEnabled = "user.enabled"
    case userUpdated = "user.updated"
    case notificationRetried = "notification.retried"
    case invitationSent = "invitation.sent"
    case invitationAccepted = "invitation.accepted"
    case invitationWithdrawn = "invitation.withdrawn"
    case externalPolicyChanged = "organisation.external_policy_changed"
    case registerRecorded = "register.recorded"
    case registerCorrected = "register.corrected"
    case notificationsPurged = "notification.purged"
    case tokenCreated = "token.created"
    case shareCreated = "share.created"
    case shareOpened = "share.opened"
    case shareDownloaded = "share.downloaded"
    case shareDownloadFailed = "share.download_failed"
    case shareViewed = "share.file_viewed"
    case shareReceipt = "share.receipt_confirmed"
    case shareReplied = "share.replied"
    case shareRevoked = "share.revoked"
    case shareExpired = "share.expired"
    case shareDeletedByRecipient = "share.deleted_by_recipient"
    case shareDestroyed = "share.destroyed"
    case shareExported = "share.exported"
    case partnerPasswordCreated = "partner_password.created"
    case partnerPasswordRevealed = "partner_password.revealed"
    case partnerPasswordRotated = "partner_password.rotated"
    case keysRotated = "keys.rotated"
    case accreditedListChanged = "policy.accredited_list_changed"
    case identifierPatternsChanged = "organisation.identifier_patterns_changed"
    case backupMade = "backup.made"
    case backupRestored = "backup.restored"
    case subjectRecorded = "subject.recorded"
    case subjectHistoryRead = "subject.history_read"
    case consentRecorded = "consent.recorded"
    case consentWithdrawn = "consent.withdrawn"
    case shareHeld = "share.held_for_authorisation"
    case shareAuthorised = "share.authorised"
    case shareAuthorisationRefused = "share.authorisation_refused"
    case offsiteTaken = "offsite.taken"
    case offsiteReturned = "offsite.returned"
    case mediaIssued = "media.issued"
    case mediaClosed = "media.closed"
    case incidentReported = "incident.reported"
    case incidentShareLinked = "incident.share_linked"
    case incidentRecalled = "incident.recalled"
    case incidentPartyTold = "incident.party_told"
    case incidentDecided = "incident.decided"
    case incidentClosed = "incident.closed"
    case malwareRefused = "share.malware_refused"
    case filesNotScanned = "share.files_not_scanned"
}

/// What a caller asks to append. Details hold identifiers and reasons, never content.
public struct AuditEntry: Sendable, Equatable {
    public var action: AuditAction
    public var actorID: String?
    public var organisationID: String?
    public var targetID: String?
    public var details: [String: String]

    public init(_ action: AuditAction, actor: String?, organisation: String?, target: String?, details: [String: String] = [:]) {
        self.action = action
        self.actorID = actor
        self.organisationID = organisation
        self.targetID = target
        self.details = details
    }
}

/// A stored audit event with its place in the chain.
public struct AuditEvent: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: Date
    public var action: String
    public var actorID: String
    public var organisationID: String
    public var targetID: String
    /// Canonical JSON (sorted keys) of the details.
    public var details: String
    public var previousHash: String
    public var hash: String

    public init(seq: Int64, at: Date, action: String, actorID: String, organisationID: String, targetID: String,
                details: String, previousHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.action = action
        self.actorID = actorID
        self.organisationID = organisationID
        self.targetID = targetID
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The fields that feed the hash, in their fixed order. Time is whole milliseconds since
    /// 1970 so every database stores and returns it exactly.
    public var chainFields: [String] {
        [String(seq), String(Self.millis(at)), action, actorID, organisationID, targetID, details]
    }

    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// A signed statement "the chain had `count` events and ended in `headHash`".
public struct AuditCheckpoint: Codable, Sendable, Equatable {
    public var count: Int64
    public var headHash: String
    public var signature: String
    public var at: Date

    public init(count: Int64, headHash: String, signature: String, at: Date) {
        self.count = count
        self.headHash = headHash
        self.signature = signature
        self.at = at
    }
}
