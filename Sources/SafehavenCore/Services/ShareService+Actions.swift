@preconcurrency import Crypto
import Foundation
import SafehavenCrypto

/// What senders and addressees do to a share once it is sent.
extension ShareService {
    /// The addressee confirms they have received the share. Repeating it changes nothing.
    public func confirmReceipt(_ shareID: String, by user: User) async throws -> Recipient {
        let access = try await access(shareID, by: user)
        var mine = try access.requireRecipient("not_a_recipient", "Only an addressee can confirm receipt.")
        try requireActive(access.share)
        if mine.receiptAt != nil { return mine }
        let now = deps.clock.now()
        mine.receiptAt = now
        let ids = deps.ids
        let share = access.share
        try await deps.store.write { [mine] tx in
            try await tx.updateState(of: mine)
            if let sender = try await tx.user(id: share.senderID) {
                let organisation = try await tx.organisation(id: user.organisationID)?.name
                try await tx.enqueue(Notifications.receipt(share, by: user, organisation: organisation, senderEmail: sender.email, ids: ids, at: now))
            }
            try await tx.insert(TrackingEvent(id: ids.next(), shareID: shareID, recipientID: mine.id, type: .receiptConfirmed, at: now))
            try await tx.appendAudit(AuditEntry(.shareReceipt, actor: user.id, organisation: user.organisationID, target: shareID), at: now)
        }
        return mine
    }

    /// For an addressee: removes the share from their inbox. For the sender: destroys the content now.
    public func delete(_ shareID: String, by user: User) async throws {
        let access = try await access(shareID, by: user)
        let now = deps.clock.now()
        if var mine = access.recipient {
            mine.deletedAt = now
            let ids = deps.ids
            try await deps.store.write { [mine] tx in
                try await tx.updateState(of: mine)
                try await tx.insert(TrackingEvent(id: ids.next(), shareID: shareID, recipientID: mine.id, type: .deleted, at: now))
                try await tx.appendAudit(AuditEntry(.shareDeletedByRecipient, actor: user.id, organisation: user.organisationID,
                                                    target: shareID), at: now)
            }
        } else {
            try await destroy(access.share, reason: "deleted_by_sender", actor: user)
        }
    }

    /// The sender withdraws the share: addressees lose access at once and the content is destroyed.
    public func revoke(_ shareID: String, by user: User) async throws -> ShareSummary {
        let access = try await access(shareID, by: user)
        try access.requireSender("not_the_sender", "Only the sender can withdraw a share.")
        try await withdraw(access.share, by: user)
        return try await summary(of: shareID)
    }

    /// Withdraws a share on behalf of `user` (its sender, or whoever recalls it after an
    /// incident): every addressee is told and the content is destroyed. True if this call did it.
    @discardableResult
    func withdraw(_ share: Share, by user: User, details: [String: String] = [:]) async throws -> Bool {
        if share.revokedAt != nil || share.destroyedAt != nil { return false }
        let now = deps.clock.now()
        let ids = deps.ids
        let revoked = try await deps.store.write { tx in
            guard try await tx.markRevoked(shareID: share.id, at: now) else { return false }
            try await Self.trackAll(.revoked, share: share, at: now, ids: ids, in: tx)
            let sender = try await tx.user(id: share.senderID) ?? user
            let organisation = try await tx.organisation(id: share.senderOrganisationID)?.name
            for recipient in try await tx.recipients(shareID: share.id) where recipient.deletedAt == nil {
                try await tx.enqueue(Notifications.revoked(share, to: recipient, sender: sender, senderOrganisation: organisation, ids: ids, at: now))
            }
            try await tx.appendAudit(AuditEntry(.shareRevoked, actor: user.id, organisation: user.organisationID, target: share.id, details: details), at: now)
            return true
        }
        if revoked { try await destroy(share, reason: "revoked", actor: user) }
        return revoked
    }

    /// A share as lists show it, read afresh.
    func summary(of shareID: String) async throws -> ShareSummary {
        let found: ShareSummary? = try await deps.store.read { db in
            guard let share = try await db.share(id: shareID), let sender = try await db.user(id: share.senderID) else { return nil }
            let organisation = try await db.organisation(id: share.senderOrganisationID)
            return ShareSummary(share: share, sender: PersonSummary(sender, organisation: organisation),
                                recipients: try await db.recipients(shareID: shareID).map(\.email), unread: nil)
        }
        guard let found else { throw SafehavenError.notFound }
        return found
    }

    /// What the sender sees of a share's journey: per addressee, every event in order.
    public struct TrackingReport: Sendable {
        public let share: Share
        public let recipients: [(Recipient, [TrackingEvent])]
        /// The email telling each addressee the share is waiting, by address: queued, accepted by
        /// the mail relay, or failed.
        public let notices: [String: OutboxMessage]
    }

    /// Per-addressee history, for the sender only.
    public func tracking(_ shareID: String, by user: User) async throws -> TrackingReport {
        let access = try await access(shareID, by: user)
        try access.requireSender("not_the_sender", "Only the sender can see who has opened a share.")
        let (recipients, events, outbox) = try await deps.store.read { db in
            (try await db.recipients(shareID: shareID), try await db.tracking(shareID: shareID), try await db.outboxMessages(shareID: shareID))
        }
        let announces = outbox.filter { $0.kind == .shareAnnounced || $0.kind == .replied }
        return TrackingReport(share: access.share, recipients: recipients.map { r in
            (r, events.filter { $0.recipientID == r.id || $0.recipientID == nil })
        }, notices: Dictionary(announces.map { ($0.to, $0) }, uniquingKeysWith: { _, last in last }))
    }
}
