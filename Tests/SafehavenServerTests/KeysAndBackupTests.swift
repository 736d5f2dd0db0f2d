import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Key rotation that touches no blob and resumes; backups that restore every share.
@Suite(.serialized) struct KeysAndBackupTests {
    /// Three shares with files and messages, a second factor for Bob and a partner password.
    func populate(_ api: API, _ env: TestEnvironment, _ people: TestEnvironment.People) async throws -> (totp: TOTP, partner: String, password: String) {
        let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
        for n in 0..<3 {
            let files = (0...n).map { ("part\($0).pdf", Data(SeededRandomSource(seed: UInt64(10 * n + $0)).bytes(70_000 + n * 1000))) }
            #expect(try await api.send(token: alice, API.share(["message": "Notes \(n)."]), files: files).status == .created)
        }
        let enrolment = try await env.runtime.auth.beginTOTP(for: people.bob, password: TestEnvironment.bobPassword)
        let totp = TOTP(secret: try #require(LoginRaceTests.base32(enrolment.secret)))
        let bob = try #require(try await env.store.read { try await $0.user(id: people.bob.id) })
        try await env.runtime.auth.confirmTOTP(for: bob, code: totp.code(counter: TOTP.counter(at: env.clock.now())))
        let (record, password) = try await env.runtime.partnerPasswords.create(partner: "Sutton CAMHS", purpose: "Referrals",
                                                                                password: nil, rotateDays: 90, by: people.alice)
        return (totp, record.id, password)
    }

    /// Every message and file Bob can see, read through the services of `runtime`.
    func readEverything(_ runtime: Runtime, bobID: String) async throws -> [String] {
        let bob = try #require(try await runtime.store.read { try await $0.user(id: bobID) })
        var out: [String] = []
        for item in try await runtime.shares.list(.inbox, for: bob).items {
            let detail = try await runtime.shares.open(item.share.id, by: bob)
            out.append(detail.message ?? "(none)")
            for file in detail.files {
                let download = try await runtime.shares.download(item.share.id, fileID: file.id, by: bob)
                var bytes: [UInt8] = []
                while let chunk = try await download.next() { bytes += chunk }
                out.append(SHA256Digester.hex(bytes))
            }
        }
        return out.sorted()
    }

    /// On the test's clock: on the real one every share would have expired.
    static func open(_ config: AppConfig, clock: TestClock) async throws -> Runtime {
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        return try await Runtime.open(config: config, clock: clock, logger: logger)
    }

    /// Opens an installation, runs `body`, and always closes it.
    static func with<T>(_ config: AppConfig, clock: TestClock, _ body: (Runtime) async throws -> T) async throws -> T {
        let runtime = try await open(config, clock: clock)
        do {
            let value = try await body(runtime)
            await runtime.close()
            return value
        } catch {
            print("DEBUG \(error)")
            await runtime.close()
            throw error
        }
    }

    @Test(arguments: TestDatabase.available)
    func rotationRewrapsEverythingTouchesNoBlobAndResumes(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let (totp, partnerID, partnerPassword) = try await populate(api, env, people)
            let before = try await readEverything(env.runtime, bobID: people.bob.id)
            let blobs = try FileManager.default.subpathsOfDirectory(atPath: env.directoryURL.appendingPathComponent("blobs").path).sorted()
            let blobBytes = try blobs.map { try? Data(contentsOf: env.directoryURL.appendingPathComponent("blobs/\($0)")) }
            let config = env.runtime.config
            let oldKey = try String(contentsOf: config.dataDirectory.appendingPathComponent("master.key"), encoding: .utf8)

            // An earlier run was interrupted: the next key exists and one share's key was moved to it.
            let next = KeyEncryptionKey.generateEncoded(random: SeededRandomSource(seed: 77))
            try Data((next + "\n").utf8).write(to: config.dataDirectory.appendingPathComponent("master.key.next"))
            chmod(config.dataDirectory.appendingPathComponent("master.key.next").path, 0o600)
            let nextKey = try KeyEncryptionKey(encoded: next)
            let first = try #require(try await env.store.read { try await $0.sealedValues(.shareKey, after: "", limit: 1) }.first)
            let moved = SealedValue(kind: .shareKey, id: first.id, value: try nextKey.wrap(try env.deps.kek.unwrap(first.value)))
            #expect(try await env.store.write { try await $0.replaceSealedValue(moved, expected: first.value) })
            // A service started now still reads everything.
            #expect(try await Self.with(config, clock: env.clock) { try await readEverything($0, bobID: people.bob.id) } == before)

            let report = try await KeyRotation.run(config: config, clock: env.clock)
            #expect(report.toID == nextKey.keyID && report.rewrapped >= 3 + 1 + 1 - 1)
            #expect(try String(contentsOf: config.dataDirectory.appendingPathComponent("master.key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines) == next)
            #expect(try String(contentsOf: config.dataDirectory.appendingPathComponent("master.key.previous"), encoding: .utf8) == oldKey)
            #expect(!FileManager.default.fileExists(atPath: config.dataDirectory.appendingPathComponent("master.key.next").path))
            // Not one blob changed.
            #expect(try blobs.map { try? Data(contentsOf: env.directoryURL.appendingPathComponent("blobs/\($0)")) } == blobBytes)

            // With the new key alone (the old one deleted), everything still opens.
            try FileManager.default.removeItem(at: config.dataDirectory.appendingPathComponent("master.key.previous"))
            try await Self.with(config, clock: env.clock) { after in
            #expect(try await readEverything(after, bobID: people.bob.id) == before)
            #expect(try await KeyRotationService(after.deps).remaining(for: nextKey) == 0)
            let alice = try #require(try await after.store.read { try await $0.user(id: people.alice.id) })
            #expect(try await after.partnerPasswords.reveal(partnerID, by: alice) == partnerPassword)
            env.clock.advance(60)
            _ = try await after.auth.login(email: "bob@nhs.net", password: TestEnvironment.bobPassword,
                                           totp: totp.code(counter: TOTP.counter(at: env.clock.now())), source: "t")
            let actions = try await after.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("keys.rotated"))
            }
            // The old key alone is refused at start, by id, before anything is read.
            try Data(oldKey.utf8).write(to: config.dataDirectory.appendingPathComponent("master.key"))
            await #expect(throws: ConfigError.self) { _ = try await Self.open(config, clock: env.clock) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aBackupRestoresEveryShareElsewhere(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            _ = try await populate(api, env, people)
            let before = try await readEverything(env.runtime, bobID: people.bob.id)
            let work = env.directoryURL.deletingLastPathComponent().appendingPathComponent("backup-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            let out = work.appendingPathComponent("backup"), keys = work.appendingPathComponent("keys")
            await #expect(throws: ConfigError.self) {
                try await Backup.make(config: env.runtime.config, out: out, keysOut: out.appendingPathComponent("keys"), clock: env.clock)
            }
            try? FileManager.default.removeItem(at: out)
            let manifest = try await Backup.make(config: env.runtime.config, out: out, keysOut: keys, clock: env.clock)
            #expect(manifest.blobs.count == 6)
            // No key in the backup itself; keys owner-only in their own directory.
            let inBackup = try FileManager.default.subpathsOfDirectory(atPath: out.path)
            #expect(!inBackup.contains { $0.contains("key") })
            let mode = try FileManager.default.attributesOfItem(atPath: keys.appendingPathComponent("master.key").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            var target = env.runtime.config
            target.dataDirectory = work.appendingPathComponent("restored")
            if db == .postgres, let url = env.runtime.config.databaseURL, let admin = TestDatabase.postgresAdminURL {
                let name = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                try await TestEnvironment.adminExecute(admin, "CREATE DATABASE \(name)")
                var components = try #require(URLComponents(string: url))
                components.path = "/\(name)"
                target.databaseURL = components.string
            } else {
                target.databaseURL = nil
            }
            // A damaged backup is refused before anything is written.
            let blob = Backup.blobURL(manifest.blobs[0].id, under: out)
            let original = try Data(contentsOf: blob)
            var damaged = original
            damaged[100] ^= 1
            try damaged.write(to: blob)
            await #expect(throws: ConfigError.self) { try await Backup.restore(from: out, config: target, keysFrom: keys, clock: env.clock) }
            #expect(!FileManager.default.fileExists(atPath: target.dataDirectory.path))
            try original.write(to: blob)

            let restored = try await Backup.restore(from: out, config: target, keysFrom: keys, clock: env.clock)
            #expect(restored.blobs == 6 && restored.sharesWithoutContent == 0)
            try await Self.with(target, clock: env.clock) { runtime in
                #expect(try await readEverything(runtime, bobID: people.bob.id) == before)
                try await runtime.audit.checkpoint()
                guard case .ok = try await runtime.audit.verify() else { Issue.record("restored audit trail does not verify"); return }
            }
            // Never over an existing installation.
            await #expect(throws: ConfigError.self) { try await Backup.restore(from: out, config: target, keysFrom: nil, clock: env.clock) }
        }
    }
}

extension SHA256Digester {
    static func hex(_ bytes: [UInt8]) -> String {
        var digester = SHA256Digester()
        digester.update(bytes)
        return digester.finalizeHex()
    }
}
