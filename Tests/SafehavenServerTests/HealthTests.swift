import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Running out of space or losing write access gives clear answers, and the service recovers
/// by itself once the cause is fixed.
@Suite struct HealthTests {
    @Test func storageFailuresMapToClearStatuses() {
        #expect(ResourceFailure.classify(POSIXError(.ENOSPC))?.code == "disk_full")
        #expect(ResourceFailure.classify(POSIXError(.EROFS))?.code == "storage_read_only")
        #expect(ResourceFailure.classify(CocoaError(.fileWriteOutOfSpace))?.code == "disk_full")
        #expect(ResourceFailure.classify(NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)))?.code == "disk_full")
        #expect(ResourceFailure.classify(POSIXError(.ENOENT)) == nil)
        #expect(ResourceFailure.classify(SafehavenError.notFound) == nil)
    }

    @Test func healthSaysNotReadyWhileFreeSpaceIsLowAndRecovers() async throws {
        var limits = Limits()
        limits.minimumFreeBytes = Int64.max
        try await withAPI(.sqlite, limits: limits) { api, _, _ in
            let low = try await api.call(.get, "/health")
            #expect(low.status == .serviceUnavailable)
            let lowBody = try low.json
            #expect(lowBody["storage"] as? String == "low" && lowBody["database"] as? String == "ok")
        }
        try await withAPI(.sqlite) { api, _, _ in
            let ok = try await api.call(.get, "/health")
            let okBody = try ok.json
            #expect(ok.status == .ok && okBody["storage"] as? String == "ok")
        }
    }

    /// A small file system of its own for the data directory (tmpfs), so the tests can fill it
    /// and make it read-only for real. Needs root; `scripts/test` requires it when run as root.
    struct SmallDisk {
        let path: URL

        static func mount(megabytes: Int) throws -> SmallDisk? {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smalldisk-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            guard run("mount", "-t", "tmpfs", "-o", "size=\(megabytes)M,mode=0700", "tmpfs", dir.path) else {
                try? FileManager.default.removeItem(at: dir)
                return nil
            }
            return SmallDisk(path: dir)
        }

        func unmount() {
            _ = Self.run("umount", "-l", path.path)
            try? FileManager.default.removeItem(at: path)
        }

        @discardableResult
        static func run(_ arguments: String...) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }

        static var required: Bool { ProcessInfo.processInfo.environment["SAFEHAVEN_TEST_REQUIRE_MOUNT"] == "1" }
    }

    /// The disk fills: uploads answer 507 and change nothing, /health says low; space freed, the
    /// same upload works without a restart.
    @Test func aFullDiskGives507ChangesNothingAndTheServiceRecovers() async throws {
        guard let disk = try SmallDisk.mount(megabytes: 24) else {
            if SmallDisk.required { Issue.record("could not mount a tmpfs for the full-disk test") }
            return
        }
        defer { disk.unmount() }
        var limits = Limits()
        limits.minimumFreeBytes = 4 * 1024 * 1024
        try await withAPI(.sqlite, limits: limits, configure: { $0.dataDirectory = disk.path.appendingPathComponent("data") }) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let filler = disk.path.appendingPathComponent("filler")
            let free = try #require(env.runtime.blobs.freeBytes())
            try Data(count: Int(free) - 3 * 1024 * 1024).write(to: filler)
            env.clock.advance(10)
            let low = try await api.call(.get, "/health")
            let lowBody = try low.json
            #expect(low.status == .serviceUnavailable && lowBody["storage"] as? String == "low")
            let big = Data(repeating: 0x41, count: 6 * 1024 * 1024)
            let full = try await api.send(token: alice, API.share(), files: [("scan.pdf", big)])
            #expect(full.status.code == 507 && full.errorCode == "disk_full")
            let inbox = try await api.call(.get, "/api/v1/inbox", token: bob)
            #expect(try inbox.json["total"] as? Int == 0)
            #expect(env.runtime.blobs.count() == 0)

            try FileManager.default.removeItem(at: filler)
            env.clock.advance(10)
            #expect(try await api.call(.get, "/health").status == .ok)
            #expect(try await api.send(token: alice, API.share(), files: [("scan.pdf", big)]).status == .created)
        }
    }

    /// The database stops accepting writes (PostgreSQL set read-only, as a standby or an operator's
    /// `default_transaction_read_only` does): /health says so, writes answer 503 and change
    /// nothing; set back, the pool's new connections write again without a restart.
    @Test func aReadOnlyDatabaseGives503AndTheServiceRecovers() async throws {
        guard TestDatabase.available.contains(.postgres), let admin = TestDatabase.postgresAdminURL else { return }
        try await withAPI(.postgres) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let name = try #require(env.databaseName)
            func setReadOnly(_ on: Bool) async throws {
                try await TestEnvironment.adminExecute(admin, "ALTER DATABASE \(name) SET default_transaction_read_only = \(on ? "on" : "off")")
                try await TestEnvironment.adminExecute(admin, """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()
                    """)
            }
            try await setReadOnly(true)
            env.clock.advance(10)
            var health = try await api.call(.get, "/health")
            for _ in 0..<5 where (try? health.json["database"] as? String) != "read-only" {
                // A request right after the connections were cut may meet a dying one.
                env.clock.advance(10)
                health = try await api.call(.get, "/health")
            }
            let body = try health.json
            #expect(health.status == .serviceUnavailable && body["database"] as? String == "read-only")
            let refused = try await api.send(token: alice, API.share())
            #expect(refused.status == .serviceUnavailable && refused.errorCode == "storage_read_only")
            try await setReadOnly(false)
            var sent = try await api.send(token: alice, API.share())
            for _ in 0..<5 where sent.status != .created { sent = try await api.send(token: alice, API.share()) }
            #expect(sent.status == .created)
            env.clock.advance(10)
            #expect(try await api.call(.get, "/health").status == .ok)
        }
    }
}
