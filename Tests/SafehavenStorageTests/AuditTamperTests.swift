import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Tampering with the audit trail in every way an attacker with the database could, on every
/// backend; checkpoints signed per interval, verification with the public key alone.
@Suite struct AuditTamperTests {
    /// Six events a second apart, a checkpoint over them, then `unsigned` more.
    func chain(_ env: TestEnvironment, events: Int = 6, unsigned: Int = 0) async throws {
        for i in 0..<(events + unsigned) {
            if i == events { try await env.runtime.audit.checkpoint() }
            _ = try await env.store.write { tx in
                try await tx.appendAudit(AuditEntry(.loginFailed, actor: "u\(i)", organisation: "o", target: nil,
                                                    details: ["reason": "wrong_password"]), at: env.clock.now())
            }
            env.clock.advance(1)
        }
        if unsigned == 0 { try await env.runtime.audit.checkpoint() }
    }

    func verify(_ env: TestEnvironment, published: [PublishedCheckpoint] = []) async throws -> AuditOutcome {
        try await env.runtime.audit.verify(published: published, pageSize: 4)
    }

    func report(_ outcome: AuditOutcome) -> AuditReport? {
        if case .ok(let report) = outcome { return report }
        Issue.record("chain reported broken: \(outcome)")
        return nil
    }

    @Test(arguments: TestDatabase.available)
    func intactChainVerifiesAndSaysWhatCoversIt(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, unsigned: 2)
            let r = report(try await verify(env))
            #expect(r?.events == 8 && r?.lastCheckpoint?.count == 6 && r?.unsignedTail == 2)
            // Checkpoints are per interval, not per event.
            #expect(try await env.store.read { try await $0.auditCheckpoints() }.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func unsignedTailOlderThanTheIntervalFails(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, unsigned: 2)
            env.clock.advance(61)
            #expect(try await verify(env) == .bad(seq: 7, reason: "events from 7 on are not covered by a signed checkpoint and are "
                + "older than the signing interval of 60 s: checkpoints were deleted or signing stopped"))
            try await env.runtime.audit.checkpoint()
            #expect(report(try await verify(env))?.unsignedTail == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func deletingCheckpointsDoesNotHelp(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, events: 3)
            env.clock.advance(120)
            try await chain(env, events: 3)
            env.clock.advance(120)
            try await env.store.execute("DELETE FROM audit_checkpoints")
            guard case .bad(let seq, let reason) = try await verify(env) else { Issue.record("deleted checkpoints not noticed"); return }
            #expect(seq == 1 && reason.contains("not covered by a signed checkpoint"))
            // Deleting only the newest leaves the tail after the older one uncovered.
            try await env.runtime.audit.checkpoint()
            try await chain(env, events: 3)
            try await env.store.execute("DELETE FROM audit_checkpoints WHERE count = 9")
            env.clock.advance(120)
            guard case .bad(let seq2, _) = try await verify(env) else { Issue.record("deleted newest checkpoint not noticed"); return }
            #expect(seq2 == 7)
        }
    }

    @Test(arguments: TestDatabase.available)
    func alteredRowIsNamed(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env)
            try await env.store.execute("UPDATE audit_events SET details = '{}' WHERE seq = 4")
            guard case .bad(let seq, _) = try await verify(env) else { Issue.record("tampering not detected"); return }
            #expect(seq == 4)
        }
    }

    @Test(arguments: TestDatabase.available)
    func malformedPreviousHashIsNamedNotHashedAsEmpty(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env)
            try await env.store.execute("UPDATE audit_events SET prev_hash = '' WHERE seq = 1")
            guard case .bad(let seq, _) = try await verify(env) else { Issue.record("malformed hash accepted"); return }
            #expect(seq == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func deletedRowIsNamed(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env)
            try await env.store.execute("DELETE FROM audit_events WHERE seq = 3")
            #expect(try await verify(env) == .bad(seq: 3, reason: "event 3 is missing (next stored event is 4)"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func deletedTailIsCaughtByCheckpoint(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env)
            try await env.store.execute("DELETE FROM audit_events WHERE seq >= 5")
            guard case .bad(let seq, _) = try await verify(env) else { Issue.record("truncation not detected"); return }
            #expect(seq == 5)
        }
    }

    @Test(arguments: TestDatabase.available)
    func tailCutWithItsCheckpointsIsCaughtByAPublishedOne(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, events: 3)
            try await chain(env, events: 3)
            let latest = try #require(try await env.store.read { try await $0.latestAuditCheckpoint() })
            let published = PublishedCheckpoint(count: latest.count, headHash: latest.headHash, signature: latest.signature)
            #expect(PublishedCheckpoint(published.description) == published)
            #expect(report(try await verify(env, published: [published]))?.events == 6)
            try await env.store.execute("DELETE FROM audit_events WHERE seq > 3")
            try await env.store.execute("DELETE FROM audit_checkpoints WHERE count > 3")
            #expect(report(try await verify(env))?.events == 3)
            guard case .bad(let seq, _) = try await verify(env, published: [published]) else { Issue.record("cut tail accepted"); return }
            #expect(seq == 4)
            // A published checkpoint that was never signed by this key is refused.
            let forged = PublishedCheckpoint(count: 3, headHash: latest.headHash, signature: latest.signature)
            guard case .bad = try await verify(env, published: [forged]) else { Issue.record("forged checkpoint accepted"); return }
        }
    }

    @Test(arguments: TestDatabase.available)
    func reorderedRowsAreNamed(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env)
            try await env.store.execute("UPDATE audit_events SET seq = -2 WHERE seq = 2")
            try await env.store.execute("UPDATE audit_events SET seq = 2 WHERE seq = 3")
            try await env.store.execute("UPDATE audit_events SET seq = 3 WHERE seq = -2")
            guard case .bad(let seq, _) = try await verify(env) else { Issue.record("reordering not detected"); return }
            #expect(seq == 2)
        }
    }

    @Test(arguments: TestDatabase.available)
    func rewritingTheChainIsCaughtAndNeverSignedOver(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, events: 3)
            try await chain(env, events: 3)
            // An attacker with database access rewrites event 5 and recomputes every later hash:
            // the next signed checkpoint (event 6) no longer matches.
            let previous = try await rewrite(env, seq: 5)
            guard case .bad(let seq, let reason) = try await verify(env) else { Issue.record("rewrite not detected"); return }
            #expect(seq == 6 && reason.contains("signed checkpoint"))
            // The service refuses to sign a checkpoint over a rewritten history.
            try await chain(env, events: 0, unsigned: 1)
            await #expect(throws: SafehavenError.self) { try await env.runtime.audit.checkpoint() }
            // Forged checkpoints without the key do not help either.
            try await env.store.execute("UPDATE audit_checkpoints SET head_hash = '\(previous)' WHERE count = 6")
            guard case .bad = try await verify(env) else { Issue.record("forged checkpoint accepted"); return }
        }
    }

    /// Rewrites event `seq`'s details and recomputes every later hash; returns the new head.
    func rewrite(_ env: TestEnvironment, seq: Int64) async throws -> String {
        let events = try await env.store.read { try await $0.auditEvents(after: 0, limit: 100) }
        var previous = events[Int(seq) - 2].hash
        for var event in events[(Int(seq) - 1)...] {
            if event.seq == seq { event.details = "{\"reason\":\"nothing to see\"}" }
            event.previousHash = previous
            event.hash = try AuditChain.next(previousHex: previous, fields: event.chainFields)
            try await env.store.execute("""
                UPDATE audit_events SET details = '\(event.details)', prev_hash = '\(event.previousHash)', hash = '\(event.hash)'
                WHERE seq = \(event.seq)
                """)
            previous = event.hash
        }
        return previous
    }

    @Test(arguments: TestDatabase.available)
    func exportVerifiesWithThePublicKeyAloneAndCatchesEdits(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            try await chain(env, unsigned: 1)
            let file = env.directoryURL.appendingPathComponent("audit.jsonl")
            #expect(try await env.runtime.audit.export(to: file) == 7)
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let key = try CheckpointVerifier(publicKeyHex: env.runtime.signer.publicKeyHex)
            let result = try AuditService.verifyExport(at: file, trustedKey: key)
            #expect(report(result.outcome)?.events == 7)

            // A different trusted key is refused outright.
            let other = try CheckpointSigner(seed: SeededRandomSource(seed: 99).bytes(32))
            #expect(throws: SafehavenError.self) { try AuditService.verifyExport(at: file, trustedKey: other.verifier) }

            // One character changed in one event is named.
            var text = try String(contentsOf: file, encoding: .utf8)
            text = text.replacingOccurrences(of: "\"actor\":\"u2\"", with: "\"actor\":\"u9\"")
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect(try AuditService.verifyExport(at: file, trustedKey: key).outcome.isBad(at: 3))

            // Garbage is a clear error, not a crash.
            try Data([0x7B, 0x80, 0x0A, 0xFF]).write(to: file)
            #expect(throws: SafehavenError.self) { try AuditService.verifyExport(at: file, trustedKey: nil) }
        }
    }
}

extension AuditOutcome {
    func isBad(at seq: Int64) -> Bool {
        if case .bad(let s, _) = self { return s == seq }
        return false
    }
}
