import Foundation
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage
import SQLKit

/// Fills an installation's audit chain quickly (many rows per statement, few transactions) so
/// `scripts/bench` can time `safehaven audit verify` over a million events. The events are real
/// chain links computed with the same code the service uses; one checkpoint is signed at the head.
enum AuditFill {
    static func run(database: String, keyFile: String, events: Int) async throws {
        let signer = try CheckpointSigner(encoded: try String(contentsOfFile: keyFile, encoding: .utf8))
        let backend = try await DatabaseLocation.parse(database).open(logger: Logger(label: "bench"))
        defer { Task { await backend.close() } }
        var previous = AuditChain.genesis
        var seq: Int64 = 0
        let start = Int64(1_790_000_000_000)
        let batch = 500
        while seq < Int64(events) {
            var chunk: [AuditEvent] = []
            for _ in 0..<100_000 where seq < Int64(events) {
                seq += 1
                var event = AuditEvent(seq: seq, at: Date(timeIntervalSince1970: Double(start + seq * 37) / 1000),
                                       action: seq % 3 == 0 ? "share.downloaded" : "share.opened",
                                       actorID: "u-\(seq % 977)", organisationID: "o-\(seq % 31)", targetID: "s-\(seq / 5)",
                                       details: seq % 3 == 0 ? #"{"file":"f-1"}"# : "{}", previousHash: previous, hash: "")
                event.hash = try AuditChain.next(previousHex: previous, fields: event.chainFields)
                previous = event.hash
                chunk.append(event)
            }
            let rows = chunk
            try await backend.withTransaction { db in
                for from in stride(from: 0, to: rows.count, by: batch) {
                    var sql: SQLQueryString = "INSERT INTO audit_events (seq, at, action, actor_id, organisation_id, target_id, details, prev_hash, hash) VALUES "
                    for (i, e) in rows[from..<min(from + batch, rows.count)].enumerated() {
                        if i > 0 { sql.appendLiteral(", ") }
                        sql.appendInterpolation("(\(bind: e.seq), \(bind: AuditEvent.millis(e.at)), \(bind: e.action), \(bind: e.actorID), \(bind: e.organisationID), \(bind: e.targetID), \(bind: e.details), \(bind: e.previousHash), \(bind: e.hash))" as SQLQueryString)
                    }
                    try await db.raw(sql).run()
                }
            }
        }
        let head = previous
        let count = seq
        let signature = try signer.sign(count: count, headHex: head)
        let at = start + count * 37
        try await backend.withTransaction { db in
            try await db.raw("INSERT INTO audit_checkpoints (count, head_hash, signature, at) VALUES (\(bind: count), \(bind: head), \(bind: signature), \(bind: at))").run()
        }
        print("audit-fill \(seq) events")
    }
}
