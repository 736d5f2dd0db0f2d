import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Revoke, expiry and destruction leave nothing behind and never race each other back to life.
@Suite struct ShreddingTests {
    /// Every file under `dir`, as bytes.
    func everyFile(under dir: URL) throws -> [(String, Data)] {
        let fm = FileManager.default
        var out: [(String, Data)] = []
        let walker = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                out.append((url.lastPathComponent, try Data(contentsOf: url)))
            }
        }
        return out
    }

    func secrets(_ env: TestEnvironment, _ id: String) async throws -> (key: String, message: String)? {
        let share = try await env.store.read { try await $0.share(id: id) }
        guard let key = share?.wrappedKey, let message = share?.messageSealed else { return nil }
        return (key, message)
    }

    /// What must not be found anywhere: the stored text and the raw bytes behind it.
    func needles(_ secret: (key: String, message: String)) -> [Data] {
        [Data(secret.key.utf8), Data(base64Encoded: String(secret.key.dropFirst(4)))!, Data(secret.message.utf8).prefix(64),
         Data(base64Encoded: secret.message)!.prefix(48)]
    }

    @Test func afterRevokeAndExpiryNoByteOfTheKeyOrMessageRemainsInTheDataDirectory() async throws {
        try await withAPI(.sqlite) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            var ids: [String] = []
            for n in 0..<3 {
                let reply = try await api.send(token: alice, API.share(["message": "Case notes \(n) for the strategy meeting."]),
                                               files: [("notes.pdf", Data(repeating: UInt8(n), count: 5000))])
                ids.append(try #require(try reply.json["id"] as? String))
            }
            var found: [Data] = []
            for id in ids.prefix(2) { found += needles(try #require(try await secrets(env, id))) }
            let kept = try #require(try await secrets(env, ids[2]))
            // Before: the secrets are on disk as stored (a scan that finds nothing proves nothing).
            let before = try everyFile(under: env.directoryURL)
            #expect([Data(kept.key.utf8), Data(kept.message.utf8)].allSatisfy { needle in before.contains { $0.1.range(of: needle) != nil } })

            #expect(try await api.call(.post, "/api/v1/shares/\(ids[0])/revoke", token: alice).status == .ok)
            env.clock.advance(31 * 86_400)
            _ = try await env.runtime.shares.expireDue()
            let after = try everyFile(under: env.directoryURL)
            for needle in found {
                let holders = after.filter { $0.1.range(of: needle) != nil }.map(\.0)
                #expect(holders.isEmpty, "a destroyed secret is still in \(holders)")
            }
            let revokedID = ids[0]
            #expect(try await env.store.read { try await $0.share(id: revokedID) }?.wrappedKey == nil)
        }
    }

    /// PostgreSQL: after a revoke and the vacuum that follows, no tuple of the secrets table (live
    /// or dead) holds the key any more. (What vacuum cannot promise is in the threat model.)
    @Test func onPostgreSQLNoTupleKeepsADestroyedKey() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withAPI(.postgres) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let id = try #require(try await api.send(token: alice, API.share()).json["id"] as? String)
            let secret = try #require(try await secrets(env, id))
            try await env.store.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            func tuplesHolding(_ text: String) async throws -> Int64 {
                try await env.store.count("""
                    SELECT count(*) FROM generate_series(0, pg_relation_size('share_secrets') / current_setting('block_size')::int - 1) AS page,
                        LATERAL heap_page_items(get_raw_page('share_secrets', page::int)) AS item
                    WHERE item.t_data IS NOT NULL AND position(convert_to('\(text)', 'UTF8') IN item.t_data) > 0
                    """)
            }
            #expect(try await tuplesHolding(secret.key) == 1)
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/revoke", token: alice).status == .ok)
            #expect(try await tuplesHolding(secret.key) == 0)
            #expect(try await env.store.count("SELECT count(*) FROM share_secrets WHERE share_id = '\(id)'") == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func revokeAndExpiryAtTheSameMomentNeverBringAKeyBack(db: TestDatabase) async throws {
        try await withAPI(db, live: true) { api, env, _ in
            let sender = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            var ids: [String] = []
            for _ in 0..<8 { ids.append(try #require(try await api.send(token: sender, API.share()).json["id"] as? String)) }
            env.clock.advance(30 * 86_400 - 1)
            // The expiry job has read the due shares; revokes land while it works.
            env.clock.advance(2)
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            async let expiry = env.runtime.shares.expireDue()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for id in ids { group.addTask { try await api.call(.post, "/api/v1/shares/\(id)/revoke", token: alice).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            _ = try await expiry
            _ = try await env.runtime.shares.expireDue()
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .gone })
            for id in ids {
                let share = try #require(try await env.store.read { try await $0.share(id: id) })
                #expect(share.wrappedKey == nil && share.messageSealed == nil && share.destroyedAt != nil)
                let tracking = try await env.store.read { try await $0.tracking(shareID: id) }
                #expect(tracking.filter { $0.type == .destroyed }.count == 1)
                // Exactly one of revoked or expired is recorded for the share.
                #expect(tracking.filter { $0.type == .revoked || $0.type == .expired }.count == 1)
            }
            #expect(env.runtime.blobs.count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func anExportRacingARevokeLeavesNoLiveExport(db: TestDatabase) async throws {
        try await withAPI(db, live: true) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            for _ in 0..<4 {
                let id = try #require(try await api.send(token: alice, API.share(), files: [("a.pdf", Data(repeating: 7, count: 300_000))])
                    .json["id"] as? String)
                async let export = api.call(.post, "/api/v1/shares/\(id)/export", token: alice)
                async let revoke = api.call(.post, "/api/v1/shares/\(id)/revoke", token: alice)
                let (exported, revoked) = try await (export, revoke)
                #expect(revoked.status == .ok)
                #expect(exported.status == .created || exported.status == .gone)
                let live = try await env.store.read { try await $0.exports(shareID: id) }.filter { $0.destroyedAt == nil }
                #expect(live.isEmpty)
                if exported.status == .created, let download = try exported.json["download"] as? String {
                    #expect(try await api.call(.get, download, token: alice).status == .gone)
                }
            }
            #expect(env.runtime.blobs.count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func anExportOfAShareThatHasExpiredCannotBeDownloaded(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let id = try #require(try await api.send(token: alice, API.share(), files: [("a.pdf", Data(repeating: 7, count: 1000))])
                .json["id"] as? String)
            let download = try #require(try await api.call(.post, "/api/v1/shares/\(id)/export", token: alice).json["download"] as? String)
            #expect(try await api.call(.get, download, token: alice).status == .ok)
            // Past expiry, before the job has run.
            env.clock.advance(31 * 86_400)
            let again = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await api.call(.get, download, token: again).status == .gone)
        }
    }
}
