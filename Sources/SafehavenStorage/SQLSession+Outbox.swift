import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func outbox(states: [OutboxMessage.State], limit: Int) async throws -> [OutboxMessage] {
        try await db.raw("""
            SELECT * FROM outbox WHERE state IN (\(binds: states.map(\.rawValue))) ORDER BY created_at, id LIMIT \(bind: limit)
            """).all().map(outboxMessage)
    }

    func outboxMessage(id: String) async throws -> OutboxMessage? {
        try await db.raw("SELECT * FROM outbox WHERE id = \(bind: id)").first().map(outboxMessage)
    }

    func outboxMessages(shareID: String) async throws -> [OutboxMessage] {
        try await db.raw("SELECT * FROM outbox WHERE share_id = \(bind: shareID) ORDER BY created_at, id").all().map(outboxMessage)
    }

    func enqueue(_ m: OutboxMessage) async throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = String(decoding: try encoder.encode(m.payload), as: UTF8.self)
        return try await db.raw("""
            INSERT INTO outbox (id, kind, recipient, message_id, dedupe_key, payload, state, attempts, next_attempt_at, created_at, share_id)
            VALUES (\(bind: m.id), \(bind: m.kind.rawValue), \(bind: m.to), \(bind: m.messageID), \(bind: m.dedupeKey), \(bind: payload),
                    \(bind: m.state.rawValue), \(bind: m.attempts), \(bind: Millis.from(m.nextAttemptAt)), \(bind: Millis.from(m.createdAt)),
                    \(bind: m.shareID))
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """).first() != nil
    }

    func claimOutbox(owner: String, now: Date, until: Date, limit: Int) async throws -> [OutboxMessage] {
        let at = Millis.from(now)
        // PostgreSQL: rows another worker has locked are skipped, not waited for. SQLite has one
        // writer at a time, so the conditional update alone settles who gets each row.
        let skip: SQLQueryString = isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.raw("""
            UPDATE outbox SET state = 'sending', lease_owner = \(bind: owner), lease_until = \(bind: Millis.from(until)),
                attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox
                         WHERE (state = 'queued' AND next_attempt_at <= \(bind: at)) OR (state = 'sending' AND lease_until <= \(bind: at))
                         ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(skip))
              AND ((state = 'queued' AND next_attempt_at <= \(bind: at)) OR (state = 'sending' AND lease_until <= \(bind: at)))
            RETURNING *
            """).all().map(outboxMessage).sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    func markOutboxAccepted(id: String, owner: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE outbox SET state = 'accepted', accepted_at = \(bind: Millis.from(at)), lease_owner = NULL, lease_until = NULL, last_error = NULL
            WHERE id = \(bind: id) AND state = 'sending' AND lease_owner = \(bind: owner) RETURNING id
            """).first() != nil
    }

    func releaseOutbox(id: String, owner: String, state: OutboxMessage.State, nextAttemptAt: Date, error: String) async throws -> Bool {
        try await db.raw("""
            UPDATE outbox SET state = \(bind: state.rawValue), next_attempt_at = \(bind: Millis.from(nextAttemptAt)),
                lease_owner = NULL, lease_until = NULL, last_error = \(bind: String(error.prefix(500)))
            WHERE id = \(bind: id) AND state = 'sending' AND lease_owner = \(bind: owner) RETURNING id
            """).first() != nil
    }

    func requeueOutbox(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE outbox SET state = 'queued', next_attempt_at = \(bind: Millis.from(at)), attempts = 0
            WHERE id = \(bind: id) AND state = 'failed' RETURNING id
            """).first() != nil
    }

    func purgeFailedOutbox(id: String?) async throws -> Int {
        if let id {
            return try await db.raw("DELETE FROM outbox WHERE id = \(bind: id) AND state = 'failed' RETURNING id").all().count
        }
        return try await db.raw("DELETE FROM outbox WHERE state = 'failed' RETURNING id").all().count
    }

    private func outboxMessage(_ row: any SQLRow) throws -> OutboxMessage {
        guard let kind = OutboxMessage.Kind(rawValue: try row.string("kind")),
              let state = OutboxMessage.State(rawValue: try row.string("state")) else {
            throw SafehavenError(.damaged, code: "outbox_damaged", message: "An outbox row holds an unknown kind or state.")
        }
        var m = OutboxMessage(id: try row.string("id"), kind: kind, to: try row.string("recipient"), messageID: try row.string("message_id"),
                              dedupeKey: try row.string("dedupe_key"),
                              payload: try JSONDecoder().decode([String: String].self, from: Data(try row.string("payload").utf8)),
                              createdAt: try row.date("created_at"), shareID: try row.optionalString("share_id"))
        m.state = state
        m.attempts = Int(try row.int("attempts"))
        m.nextAttemptAt = try row.date("next_attempt_at")
        m.leaseOwner = try row.optionalString("lease_owner")
        m.leaseUntil = try row.optionalDate("lease_until")
        m.lastError = try row.optionalString("last_error")
        m.acceptedAt = try row.optionalDate("accepted_at")
        return m
    }
}
