import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    /// A share with its secrets (absent once destroyed).
    static let shareWithSecrets: SQLQueryString = """
        SELECT s.*, k.wrapped_key, k.message_sealed FROM shares s LEFT JOIN share_secrets k ON k.share_id = s.id
        """

    func share(id: String) async throws -> Share? {
        try await db.raw("\(Self.shareWithSecrets) WHERE s.id = \(bind: id)").first().map(share)
    }

    /// The share, locked against concurrent lifecycle changes until the transaction ends
    /// (PostgreSQL; SQLite's single writer serialises already).
    func shareForUpdate(id: String) async throws -> Share? {
        let lock: SQLQueryString = isPostgres ? " FOR UPDATE OF s" : ""
        return try await db.raw("\(Self.shareWithSecrets) WHERE s.id = \(bind: id)\(lock)").first().map(share)
    }

    func thread(_ threadID: String, visibleTo userID: String) async throws -> [Share] {
        try await db.raw("""
            \(Self.shareWithSecrets) WHERE s.thread_id = \(bind: threadID) AND (s.sender_id = \(bind: userID)
              OR EXISTS (SELECT 1 FROM share_recipients r WHERE r.share_id = s.id AND r.user_id = \(bind: userID)))
            ORDER BY s.created_at, s.id LIMIT 200
            """).all().map(share)
    }

    func sharesExpiring(after: Date, before: Date) async throws -> [Share] {
        try await db.raw("""
            \(Self.shareWithSecrets) WHERE s.expires_at > \(bind: Millis.from(after)) AND s.expires_at <= \(bind: Millis.from(before))
            AND s.revoked_at IS NULL AND s.destroyed_at IS NULL ORDER BY s.expires_at, s.id LIMIT 1000
            """).all().map(share)
    }

    func hasSent(from userID: String, to email: String) async throws -> Bool {
        try await db.raw("""
            SELECT 1 AS found FROM share_recipients r JOIN shares s ON s.id = r.share_id
            WHERE s.sender_id = \(bind: userID) AND r.email = \(bind: email) LIMIT 1
            """).first() != nil
    }

    func sharesDueForExpiry(at now: Date) async throws -> [Share] {
        try await db.raw("""
            \(Self.shareWithSecrets) WHERE s.expires_at <= \(bind: Millis.from(now)) AND s.destroyed_at IS NULL
            ORDER BY s.expires_at, s.id
            """).all().map(share)
    }

    func share(_ row: any SQLRow) throws -> Share {
        var s = Share(
            id: try row.string("id"), senderID: try row.string("sender_id"), senderOrganisationID: try row.string("sender_org_id"),
            subject: try row.string("subject"), messageSealed: try row.optionalString("message_sealed"),
            wrappedKey: try row.optionalString("wrapped_key"),
            marking: Marking(rawValue: try row.string("marking")) ?? .officialSensitive,
            legacyMarking: try row.optionalString("legacy_marking"), purpose: try row.string("purpose"),
            handling: try row.string("handling"), viewOnly: try row.bool("view_only"),
            requireReceipt: try row.bool("require_receipt"), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"), parentID: try row.optionalString("parent_id"),
            threadID: try row.string("thread_id"))
        s.revokedAt = try row.optionalDate("revoked_at")
        s.expiredAt = try row.optionalDate("expired_at")
        s.destroyedAt = try row.optionalDate("destroyed_at")
        s.policyNotes = try row.optionalString("policy_notes")
        s.held = try row.bool("held")
        return s
    }

    func insert(_ s: Share) async throws {
        try await db.raw("""
            INSERT INTO shares (id, sender_id, sender_org_id, subject, marking, legacy_marking,
                purpose, handling, view_only, require_receipt, created_at, expires_at, revoked_at, expired_at, destroyed_at,
                parent_id, thread_id, policy_notes, held)
            VALUES (\(bind: s.id), \(bind: s.senderID), \(bind: s.senderOrganisationID), \(bind: s.subject),
                \(bind: s.marking.rawValue), \(bind: s.legacyMarking),
                \(bind: s.purpose), \(bind: s.handling), \(bind: s.viewOnly.flag), \(bind: s.requireReceipt.flag),
                \(bind: Millis.from(s.createdAt)), \(bind: Millis.from(s.expiresAt)), \(bind: Millis.from(s.revokedAt)),
                \(bind: Millis.from(s.expiredAt)), \(bind: Millis.from(s.destroyedAt)), \(bind: s.parentID), \(bind: s.threadID),
                \(bind: s.policyNotes), \(bind: s.held.flag))
            """).run()
        if let key = s.wrappedKey, s.destroyedAt == nil {
            try await db.raw("""
                INSERT INTO share_secrets (share_id, wrapped_key, message_sealed)
                VALUES (\(bind: s.id), \(bind: key), \(bind: s.messageSealed ?? ""))
                """).run()
        }
    }

    func markRevoked(shareID: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE shares SET revoked_at = \(bind: Millis.from(at))
            WHERE id = \(bind: shareID) AND revoked_at IS NULL AND expired_at IS NULL AND destroyed_at IS NULL
                AND expires_at > \(bind: Millis.from(at)) RETURNING id
            """).first() != nil
    }

    func release(shareID: String) async throws -> Bool {
        try await db.raw("UPDATE shares SET held = 0 WHERE id = \(bind: shareID) AND held = 1 AND revoked_at IS NULL RETURNING id").first() != nil
    }

    func markExpired(shareID: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE shares SET expired_at = \(bind: Millis.from(at))
            WHERE id = \(bind: shareID) AND expired_at IS NULL AND revoked_at IS NULL AND destroyed_at IS NULL RETURNING id
            """).first() != nil
    }

    func destroyContent(shareID: String, at: Date) async throws -> Bool {
        let changed = try await db.raw("""
            UPDATE shares SET destroyed_at = \(bind: Millis.from(at)) WHERE id = \(bind: shareID) AND destroyed_at IS NULL RETURNING id
            """).first() != nil
        try await db.raw("DELETE FROM share_secrets WHERE share_id = \(bind: shareID)").run()
        return changed
    }

    func recipients(shareID: String) async throws -> [Recipient] {
        try await db.raw("SELECT * FROM share_recipients WHERE share_id = \(bind: shareID) ORDER BY email, id").all().map { row in
            var r = Recipient(id: try row.string("id"), shareID: try row.string("share_id"), userID: try row.optionalString("user_id"),
                              email: try row.string("email"))
            r.receiptAt = try row.optionalDate("receipt_at")
            r.deletedAt = try row.optionalDate("deleted_at")
            return r
        }
    }

    func insert(_ r: Recipient) async throws {
        try await db.raw("""
            INSERT INTO share_recipients (id, share_id, user_id, email, receipt_at, deleted_at, share_created_at)
            VALUES (\(bind: r.id), \(bind: r.shareID), \(bind: r.userID), \(bind: r.email),
                \(bind: Millis.from(r.receiptAt)), \(bind: Millis.from(r.deletedAt)),
                (SELECT created_at FROM shares WHERE id = \(bind: r.shareID)))
            """).run()
    }

    func updateState(of r: Recipient) async throws {
        try await db.raw("""
            UPDATE share_recipients SET receipt_at = \(bind: Millis.from(r.receiptAt)), deleted_at = \(bind: Millis.from(r.deletedAt))
            WHERE id = \(bind: r.id)
            """).run()
    }

    func files(shareID: String) async throws -> [ShareFile] {
        try await db.raw("SELECT * FROM share_files WHERE share_id = \(bind: shareID) ORDER BY position, id").all().map { row in
            ShareFile(id: try row.string("id"), shareID: try row.string("share_id"), name: try row.string("name"),
                      contentType: try row.string("content_type"), size: try row.int("size"), sha256: try row.string("sha256"),
                      blobID: try row.string("blob_id"))
        }
    }

    func insert(_ f: ShareFile) async throws {
        let position = try await db.raw("SELECT COUNT(*) AS n FROM share_files WHERE share_id = \(bind: f.shareID)").first()?.int("n") ?? 0
        try await db.raw("""
            INSERT INTO share_files (id, share_id, position, name, content_type, size, sha256, blob_id)
            VALUES (\(bind: f.id), \(bind: f.shareID), \(bind: position), \(bind: f.name), \(bind: f.contentType),
                \(bind: f.size), \(bind: f.sha256), \(bind: f.blobID))
            """).run()
    }

    func referencedBlobIDs() async throws -> Set<String> {
        let files = try await db.raw("SELECT blob_id FROM share_files").all().map { try $0.string("blob_id") }
        let exports = try await db.raw("SELECT blob_id FROM share_exports WHERE destroyed_at IS NULL").all().map { try $0.string("blob_id") }
        return Set(files + exports)
    }

    func liveFileBlobs() async throws -> [(shareID: String, blobID: String)] {
        try await db.raw("""
            SELECT f.share_id, f.blob_id FROM share_files f JOIN shares s ON s.id = f.share_id WHERE s.destroyed_at IS NULL
            """).all().map { (try $0.string("share_id"), try $0.string("blob_id")) }
    }

    func tracking(shareID: String) async throws -> [TrackingEvent] {
        let events = try await db.raw("SELECT * FROM tracking_events WHERE share_id = \(bind: shareID)").all().map { row in
            TrackingEvent(id: try row.string("id"), shareID: try row.string("share_id"), recipientID: try row.optionalString("recipient_id"),
                          type: TrackingType(rawValue: try row.string("type")) ?? .opened, at: try row.date("at"))
        }
        // Events in one instant keep their natural order (announced before opened, revoked before destroyed).
        let rank = Dictionary(uniqueKeysWithValues: TrackingType.allCases.enumerated().map { ($1, $0) })
        return events.sorted { ($0.at, rank[$0.type]!, $0.id) < ($1.at, rank[$1.type]!, $1.id) }
    }

    func insert(_ e: TrackingEvent) async throws {
        try await db.raw("""
            INSERT INTO tracking_events (id, share_id, recipient_id, type, at)
            VALUES (\(bind: e.id), \(bind: e.shareID), \(bind: e.recipientID), \(bind: e.type.rawValue), \(bind: Millis.from(e.at)))
            """).run()
    }
}
