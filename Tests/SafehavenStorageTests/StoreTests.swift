import Foundation
import SafehavenCore
import SafehavenCrypto
import Logging
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// One suite, run on every database backend.
@Suite struct StoreTests {
    @Test(arguments: TestDatabase.available)
    func migrationsAreRecordedAndIdempotent(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            let migrator = Migrator(backend: env.store.backend)
            #expect(try await migrator.pending().isEmpty)
            #expect(try await migrator.appliedVersions() == Set(Migrations.all.map(\.version)))
            #expect(try await migrator.migrate().isEmpty)
        }
    }

    @Test(arguments: TestDatabase.available)
    func organisationsAndUsersRoundTrip(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            let people = try await env.seedPeople()
            let found = try await env.store.read { db in
                (try await db.user(email: "bob@nhs.net"), try await db.organisation(domain: "nhs.net"),
                 try await db.organisations().count, try await db.userCount())
            }
            #expect(found.0 == people.bob)
            #expect(found.1?.name == "St Helier Hospital")
            #expect(found.1?.domains == ["nhs.net"])
            #expect(found.2 == 4, "three seeded, and the one for people invited from outside")
            #expect(found.3 == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func duplicateDomainsAndEmailsAreRefused(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            _ = try await env.seedPeople()
            await #expect(throws: SafehavenError.self) {
                try await env.runtime.directory.createOrganisation(name: "Imposter", domains: ["NHS.net."], switchboard: "", address: "")
            }
            await #expect(throws: SafehavenError.self) {
                try await env.runtime.directory.createUser(.init(email: "BOB@nhs.net", name: "B", organisation: "nhs.net",
                                                                 jobTitle: "x", phone: "1", password: "copper-meadow-thistle-78"))
            }
            await #expect(throws: SafehavenError.self) {
                try await env.runtime.directory.createUser(.init(email: "eve@evil.example", name: "Eve", organisation: "nhs.net",
                                                                 jobTitle: "x", phone: "1", password: "copper-meadow-thistle-78"))
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aFailedTransactionWritesNothing(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            let before = try await env.store.read { try await $0.auditCount() }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await env.store.write { tx in
                    try await tx.insert(Organisation(id: "o-x", name: "X", domains: ["x.example"], switchboard: "", address: "",
                                                     createdAt: env.clock.now()))
                    try await tx.appendAudit(AuditEntry(.organisationCreated, actor: nil, organisation: "o-x", target: "o-x"), at: env.clock.now())
                    throw Boom()
                }
            }
            let after = try await env.store.read { (try await $0.auditCount(), try await $0.organisation(id: "o-x")) }
            #expect(after.0 == before)
            #expect(after.1 == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentAuditAppendsStayChained(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            let tasks = (0..<40).map { i in
                Task {
                    try await env.store.write { tx in
                        try await tx.appendAudit(AuditEntry(.tokenCreated, actor: "u\(i)", organisation: nil, target: nil), at: env.clock.now())
                    }
                }
            }
            for task in tasks { _ = try await task.value }
            try await env.runtime.audit.checkpoint()
            guard case .ok(let report) = try await env.runtime.audit.verify(pageSize: 7) else { Issue.record("chain broken"); return }
            #expect(report.events == 40 && report.lastCheckpoint?.count == 40 && report.unsignedTail == 0)
        }
    }
}

@Suite struct BlobStoreTests {
    func store() throws -> (DirectoryBlobStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        return (try DirectoryBlobStore(root: dir), dir)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let (blobs, dir) = try store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try blobs.makeWriter(id: "abc-1")
        try writer.write([1, 2, 3])
        #expect(!blobs.exists(id: "abc-1"))
        #expect(blobs.partialCount() == 1)
        try writer.write([4])
        try writer.commit()
        #expect(blobs.exists(id: "abc-1") && blobs.partialCount() == 0)
        let reader = try blobs.openReader(id: "abc-1")
        #expect(try reader.read(max: 3) == [1, 2, 3])
        #expect(try reader.read(max: 3) == [4])
        #expect(try reader.read(max: 3) == [])
        reader.close()
        try blobs.delete(id: "abc-1")
        #expect(!blobs.exists(id: "abc-1"))
        #expect(throws: StorageError.blobMissing) { try blobs.openReader(id: "abc-1") }
    }

    @Test func abortLeavesNothing() throws {
        let (blobs, dir) = try store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try blobs.makeWriter(id: "abc-2")
        try writer.write([1])
        writer.abort()
        #expect(blobs.count() == 0 && blobs.partialCount() == 0)
    }

    @Test(arguments: ["../x", "a/b", "", "A", "x.y", String(repeating: "a", count: 65), "..", "a\u{0}"])
    func hostileIDsAreRefused(id: String) throws {
        let (blobs, dir) = try store()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: StorageError.badBlobID) { try blobs.makeWriter(id: id) }
        #expect(throws: StorageError.badBlobID) { try blobs.openReader(id: id) }
    }

    @Test func sweepFindsOldBlobsAndAbandonedWrites() throws {
        let (blobs, dir) = try store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try blobs.makeWriter(id: "old-1")
        try w.commit()
        let partial = try blobs.makeWriter(id: "old-2")
        try partial.write([1])
        let future = Date().addingTimeInterval(60)
        #expect(try blobs.sweepCandidates(olderThan: future) == ["old-1"])
        #expect(try blobs.sweepCandidates(olderThan: Date().addingTimeInterval(-60)).isEmpty)
        #expect(try blobs.removeAbandonedWrites(olderThan: future) == 1)
        #expect(blobs.partialCount() == 0)
    }
}

@Suite struct MigratorTests {
    @Test func dryRunOnANewDatabaseChangesNothing() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("migr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let backend = try await SQLiteBackend.open(path: dir.appendingPathComponent("db.sqlite").path, logger: .init(label: "t"))
        let migrator = Migrator(backend: backend)
        #expect(try await migrator.pending().map(\.version) == Migrations.all.map(\.version))
        #expect(try await migrator.appliedVersions().isEmpty)
        #expect(try await migrator.migrate().count == Migrations.all.count)
        #expect(try await migrator.pending().isEmpty)
        await backend.close()
    }
}
