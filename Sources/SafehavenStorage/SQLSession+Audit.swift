import Foundation
import SafehavenCore
import SafehavenCrypto
import SQLKit

extension SQLSession {
    /// Appends one event to the chain inside the caller's transaction (checkpoints are signed
    /// separately, at most one signing interval later). On PostgreSQL an advisory lock serialises appenders across instances; SQLite's
    /// single writer does that already.
    func appendAudit(_ entry: AuditEntry, at: Date) async throws -> AuditEvent {
        if isPostgres { try await db.raw("SELECT pg_advisory_xact_lock(727274)").run() }
        let head = try await db.raw("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").first()
        let previousSeq = try head?.int("seq") ?? 0
        let previousHash = try head?.string("hash") ?? AuditChain.genesis
        let details = Self.canonicalJSON(entry.details)
        var event = AuditEvent(seq: previousSeq + 1, at: Millis.date(Millis.from(at)), action: entry.action.rawValue,
                               actorID: entry.actorID ?? "", organisationID: entry.organisationID ?? "",
                               targetID: entry.targetID ?? "", details: details, previousHash: previousHash, hash: "")
        event.hash = try AuditChain.next(previousHex: previousHash, fields: event.chainFields)
        try await db.raw("""
            INSERT INTO audit_events (seq, at, action, actor_id, organisation_id, target_id, details, prev_hash, hash)
            VALUES (\(bind: event.seq), \(bind: Millis.from(event.at)), \(bind: event.action), \(bind: event.actorID),
                \(bind: event.organisationID), \(bind: event.targetID), \(bind: event.details), \(bind: event.previousHash),
                \(bind: event.hash))
            """).run()
        return event
    }

    func auditCount() async throws -> Int64 {
        try await db.raw("SELECT COUNT(*) AS n FROM audit_events").first()?.int("n") ?? 0
    }

    func auditEvents(after: Int64, limit: Int) async throws -> [AuditEvent] {
        try await db.raw("SELECT * FROM audit_events WHERE seq > \(bind: after) ORDER BY seq LIMIT \(bind: Int64(limit))").all().map { row in
            AuditEvent(seq: try row.int("seq"), at: try row.date("at"), action: try row.string("action"),
                       actorID: try row.string("actor_id"), organisationID: try row.string("organisation_id"),
                       targetID: try row.string("target_id"), details: try row.string("details"),
                       previousHash: try row.string("prev_hash"), hash: try row.string("hash"))
        }
    }

    func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await db.raw("SELECT * FROM audit_checkpoints ORDER BY count").all().map(Self.checkpoint)
    }

    func latestAuditCheckpoint() async throws -> AuditCheckpoint? {
        try await db.raw("SELECT * FROM audit_checkpoints ORDER BY count DESC LIMIT 1").first().map(Self.checkpoint)
    }

    func auditHead() async throws -> (seq: Int64, hash: String)? {
        guard let row = try await db.raw("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").first() else { return nil }
        return (try row.int("seq"), try row.string("hash"))
    }

    func auditEvent(seq: Int64) async throws -> AuditEvent? {
        try await auditEvents(after: seq - 1, limit: 1).first { $0.seq == seq }
    }

    func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await db.raw("""
            INSERT INTO audit_checkpoints (count, head_hash, signature, at)
            VALUES (\(bind: checkpoint.count), \(bind: checkpoint.headHash), \(bind: checkpoint.signature), \(bind: Millis.from(checkpoint.at)))
            """).run()
    }

    static func checkpoint(_ row: any SQLRow) throws -> AuditCheckpoint {
        AuditCheckpoint(count: try row.int("count"), headHash: try row.string("head_hash"),
                        signature: try row.string("signature"), at: try row.date("at"))
    }

    /// Sorted keys and no whitespace, so the same details always hash the same.
    static func canonicalJSON(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
