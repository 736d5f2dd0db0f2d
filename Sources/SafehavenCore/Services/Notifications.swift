import Foundation

/// The notifications a change causes, built for the outbox inside the change's own transaction.
/// What they may carry is fixed here: who sent it (name and organisation), the protective marking
/// and a link. Never a share's subject, message, file names or the names of the people concerned.
public enum Notifications {
    /// The path of a share's page, joined to the public address when the message is written.
    static func sharePath(_ shareID: String) -> String { "/shares/\(shareID)" }

    static func message(_ kind: OutboxMessage.Kind, to: String, dedupe: String, share: Share?, values: [String: String],
                        ids: any IDGenerator, at now: Date) -> OutboxMessage {
        let id = ids.next()
        return OutboxMessage(id: id, kind: kind, to: to, messageID: "\(id).\(kind.rawValue)", dedupeKey: dedupe, payload: values,
                             createdAt: now, shareID: share?.id)
    }

    /// "A secure share is waiting": one per addressee of a new share, or "they replied" for a reply.
    static func announce(_ share: Share, to recipient: Recipient, sender: User, senderOrganisation: String?, isReply: Bool,
                         ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(isReply ? .replied : .shareAnnounced, to: recipient.email, dedupe: "announce:\(share.id):\(recipient.id)", share: share,
                values: ["senderName": sender.name, "senderOrganisation": senderOrganisation ?? "", "marking": share.marking.rawValue,
                         "path": sharePath(share.id), "expires": ISODate.format(share.expiresAt)],
                ids: ids, at: now)
    }

    /// Tells the sender an addressee confirmed receipt.
    static func receipt(_ share: Share, by person: User, organisation: String?, senderEmail: String, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.receiptConfirmed, to: senderEmail, dedupe: "receipt:\(share.id):\(person.id)", share: share,
                values: ["personName": person.name, "personOrganisation": organisation ?? "", "marking": share.marking.rawValue,
                         "path": sharePath(share.id)],
                ids: ids, at: now)
    }

    /// Tells an addressee the share they were sent has been withdrawn.
    static func revoked(_ share: Share, to recipient: Recipient, sender: User, senderOrganisation: String?, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.revoked, to: recipient.email, dedupe: "revoked:\(share.id):\(recipient.id)", share: share,
                values: ["senderName": sender.name, "senderOrganisation": senderOrganisation ?? "", "marking": share.marking.rawValue],
                ids: ids, at: now)
    }

    /// Reminds an addressee who has not opened a share that it expires soon.
    static func expiring(_ share: Share, to recipient: Recipient, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.expiringSoon, to: recipient.email, dedupe: "expiring:\(share.id):\(recipient.id)", share: share,
                values: ["marking": share.marking.rawValue, "path": sharePath(share.id), "expires": ISODate.format(share.expiresAt)],
                ids: ids, at: now)
    }
}
