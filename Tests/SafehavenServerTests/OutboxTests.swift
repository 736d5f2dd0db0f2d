import Foundation
import Hummingbird
import Logging
import SafehavenCore
@testable import SafehavenServer
import SafehavenMail
import SafehavenStorage
import SafehavenTestSupport
import Synchronization
import Testing

/// The outbox's rules with an injected clock, on both databases. The transport here is a stand-in
/// that answers as told (this tests the worker's logic; scripts/mail-test runs the same worker
/// against a real SMTP peer).
@Suite struct OutboxTests {
    /// Answers each message with the next scripted outcome (accepted when the script runs out),
    /// and remembers what it was given.
    final class ScriptedTransport: MailTransport {
        let script: Mutex<[SMTPClient.Outcome]>
        let sent = Mutex<[MailMessage]>([])
        let description = "a scripted transport"
        init(_ script: [SMTPClient.Outcome] = []) { self.script = Mutex(script) }
        func deliver(_ batch: [(envelopeFrom: String, message: MailMessage)],
                     settled: @escaping @Sendable (Int, SMTPClient.Outcome) async -> Void) async throws {
            for (index, item) in batch.enumerated() {
                let outcome = script.withLock { $0.isEmpty ? SMTPClient.Outcome.accepted : $0.removeFirst() }
                if outcome == .accepted { sent.withLock { $0.append(item.message) } }
                await settled(index, outcome)
            }
        }
    }

    static func worker(_ env: TestEnvironment, _ transport: any MailTransport, owner: String = "w1", deadAfterHours: Double = 48) throws -> OutboxWorker {
        OutboxWorker(deps: env.runtime.deps, transport: transport,
                     renderer: MailRenderer(pages: try PageRenderer(), from: "notices@example.org", kek: env.runtime.deps.kek, base: { "https://safehaven.example.org" }),
                     logger: Logger(label: "test"), deadAfter: deadAfterHours * 3600, retryBase: 30, owner: owner, lease: 300)
    }

    static func rows(_ env: TestEnvironment) async throws -> [OutboxMessage] {
        try await env.store.read { try await $0.outbox(states: OutboxMessage.State.allCases, limit: 100) }
    }

    @Test(arguments: TestDatabase.available)
    func aShareQueuesOneNoticePerAddresseeWithNothingAboutTheCase(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            // Refused (an unknown recipient): nothing is queued.
            let refused = try await api.send(token: alice, API.share(["recipients": ["bob@nhs.net", "someone@nhs-net.co.uk"]]))
            #expect(refused.status != .created)
            #expect(try await Self.rows(env).isEmpty)
            let sent = try await api.send(token: alice, API.share(["subject": "Papers Quixotic", "message": "Text Marmalade",
                                                                   "recipients": ["bob@nhs.net", "carol@sutton.gov.uk"]]),
                                          files: [("Zebedee.pdf", Data("x".utf8))])
            #expect(sent.status == .created)
            let rows = try await Self.rows(env)
            #expect(rows.count == 2 && Set(rows.map(\.to)) == ["bob@nhs.net", "carol@sutton.gov.uk"])
            #expect(rows.allSatisfy { $0.kind == .shareAnnounced && $0.state == .queued })
            let transport = ScriptedTransport()
            #expect(try await Self.worker(env, transport).runOnce() == 2)
            #expect(try await Self.worker(env, transport).runOnce() == 0, "nothing is sent twice")
            for message in transport.sent.withLock({ $0 }) {
                let text = message.rendered()
                for secret in ["Quixotic", "Marmalade", "Zebedee"] { #expect(!text.contains(secret)) }
                #expect(text.contains("Alice Smith at Merton Council") && text.contains("https://safehaven.example.org/shares/"))
            }
            #expect(try await Self.rows(env).allSatisfy { $0.state == .accepted && $0.acceptedAt == env.clock.now() })
        }
    }

    @Test(arguments: TestDatabase.available)
    func refusalsWaitLongerEachTimeThenDeadLetterAndRetryByHand(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            _ = try await api.send(token: alice, API.share([:]))
            let transport = ScriptedTransport([.temporary("451 later"), .temporary("451 later"), .temporary("451 later")])
            let worker = try Self.worker(env, transport, deadAfterHours: 1)
            #expect(try await worker.runOnce() == 0)
            var row = try #require(try await Self.rows(env).first)
            let first = row.nextAttemptAt.timeIntervalSince(env.clock.now())
            #expect(row.state == .queued && row.attempts == 1 && row.lastError == "451 later" && (15...30).contains(first))
            #expect(try await worker.runOnce() == 0, "not before its time")
            env.clock.advance(31)
            #expect(try await worker.runOnce() == 0)
            row = try #require(try await Self.rows(env).first)
            #expect(row.attempts == 2 && (30...60).contains(row.nextAttemptAt.timeIntervalSince(env.clock.now())))
            // Past the dead-letter time: failed, and left alone.
            env.clock.advance(3600)
            #expect(try await worker.runOnce() == 0)
            row = try #require(try await Self.rows(env).first)
            #expect(row.state == .failed)
            env.clock.advance(7200)
            #expect(try await worker.runOnce() == 0 && transport.sent.withLock { $0.isEmpty })
            // An administrator sends it again: the same Message-ID goes.
            try await OutboxAdminService(env.runtime.deps).retry(row.id, actor: nil)
            #expect(try await worker.runOnce() == 1)
            #expect(transport.sent.withLock { $0.first?.messageID } == "\(row.messageID)@safehaven.example.org")
            // A permanent refusal fails at once; purge removes it, audited.
            _ = try await api.send(token: alice, API.share([:]))
            let refusing = ScriptedTransport([.permanent("550 no such mailbox")])
            #expect(try await Self.worker(env, refusing).runOnce() == 0)
            let failed = try await OutboxAdminService(env.runtime.deps).list()
            #expect(failed.count == 1 && failed[0].lastError == "550 no such mailbox")
            #expect(try await OutboxAdminService(env.runtime.deps).purge(nil, actor: nil) == 1)
            await #expect(throws: SafehavenError.self) { try await OutboxAdminService(env.runtime.deps).retry("no-such", actor: nil) }
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("notification.retried") && actions.contains("notification.purged"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aClaimIsHeldUntilItsLeaseLapsesAndOnlyItsHolderMarksItSent(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            _ = try await api.send(token: alice, API.share([:]))
            let now = env.clock.now()
            // Worker A claims the row and is never heard from again (killed).
            let claimed = try await env.store.write { try await $0.claimOutbox(owner: "A", now: now, until: now.addingTimeInterval(300), limit: 10) }
            #expect(claimed.count == 1)
            let transport = ScriptedTransport()
            let b = try Self.worker(env, transport, owner: "B")
            #expect(try await b.runOnce() == 0, "held by A")
            env.clock.advance(301)
            #expect(try await b.runOnce() == 1, "A's lease lapsed")
            // A comes back and tries to record its send: refused, the row is B's.
            #expect(try await env.store.write { try await $0.markOutboxAccepted(id: claimed[0].id, owner: "A", at: env.clock.now()) } == false)
            let row = try #require(try await Self.rows(env).first)
            #expect(row.state == .accepted && row.attempts == 2 && row.messageID == claimed[0].messageID)
        }
    }

    @Test(arguments: TestDatabase.available)
    func noRelayWritesEachMessageOnceAsAFile(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            _ = try await api.send(token: alice, API.share(["recipients": ["bob@nhs.net", "carol@sutton.gov.uk"]]))
            let folder = env.runtime.config.dataDirectory.appendingPathComponent("mail")
            let worker = try Self.worker(env, FileTransport(directory: folder))
            #expect(try await worker.runOnce() == 2)
            // Sent again by hand (as after a crash before recording): the same file, not a second.
            let rows = try await Self.rows(env)
            try await FileTransport(directory: folder).deliver([("x@example.org", try worker.renderer.message(rows[0]))]) { _, _ in }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 2)
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(files[0]).path)
            #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o077 } == 0, "readable by the service's user only")
        }
    }
}

extension OutboxTests {
    @Test(arguments: TestDatabase.available)
    func unopenedSharesRemindTheirAddresseesOnceADayBeforeExpiry(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let expires = ISODate.format(env.clock.now().addingTimeInterval(3 * 86_400))
            let id = try #require(try await api.send(token: alice, API.share(["recipients": ["bob@nhs.net", "carol@sutton.gov.uk"],
                                                                               "expiresAt": expires])).json["id"] as? String)
            _ = try await api.call(.get, "/api/v1/shares/\(id)", token: bob)
            #expect(try await env.runtime.shares.queueExpiryReminders() == 0, "not yet within a day")
            env.clock.advance(2 * 86_400 + 3600)
            #expect(try await env.runtime.shares.queueExpiryReminders() == 1, "only Carol, who has not opened it")
            #expect(try await env.runtime.shares.queueExpiryReminders() == 0, "once only")
            let reminders = try await Self.rows(env).filter { $0.kind == .expiringSoon }
            #expect(reminders.map(\.to) == ["carol@sutton.gov.uk"])
        }
    }
}
