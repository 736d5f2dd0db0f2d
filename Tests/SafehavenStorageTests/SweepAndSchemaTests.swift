import Foundation
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

@Suite struct SweepAndSchemaTests {
    /// Sets a blob file's modification time, as if it had been written at `date`.
    func age(_ env: TestEnvironment, _ relativePath: String, to date: Date) throws {
        let url = env.directoryURL.appendingPathComponent(relativePath)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
    }

    func blobPath(_ id: String) -> String { "blobs/\(id.prefix(2))/\(id)" }

    @Test(arguments: TestDatabase.available)
    func sweepRemovesOnlyOldOrphansJudgedByTheInjectedClock(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let now = env.clock.now()
            // A real share whose blob is old: referenced, so it stays.
            let upload = try await env.runtime.shares.beginUpload(sender: people.alice)
            try await env.runtime.shares.accept(ShareDraft(subject: "Papers", message: "m", recipients: ["bob@nhs.net"],
                                                           purpose: "Strategy discussion", basis: "no-personal-data"), into: upload)
            let file = try await upload.beginFile(name: "a.pdf", contentType: "application/pdf")
            try await file.write(Array("content".utf8))
            let kept = try await file.finish()
            _ = try await env.runtime.shares.commit(upload)
            try age(env, blobPath(kept.blobID), to: now.addingTimeInterval(-7200))
            // An orphan two hours old, an orphan ten minutes old, and an abandoned partial write.
            for id in ["orphan-old", "orphan-new"] { try env.runtime.blobs.makeWriter(id: id).commit() }
            try age(env, blobPath("orphan-old"), to: now.addingTimeInterval(-7200))
            try age(env, blobPath("orphan-new"), to: now.addingTimeInterval(-600))
            let partial = try env.runtime.blobs.makeWriter(id: "partial-old")
            try partial.write([1, 2, 3])
            try age(env, "tmp/partial-old.partial", to: now.addingTimeInterval(-7200))

            #expect(try await env.runtime.shares.sweepOrphans(grace: 3600) == 2)
            #expect(env.runtime.blobs.exists(id: kept.blobID))
            #expect(!env.runtime.blobs.exists(id: "orphan-old"))
            #expect(env.runtime.blobs.exists(id: "orphan-new"))
            #expect(env.runtime.blobs.partialCount() == 0)
            // An hour later by the injected clock, the newer orphan goes too.
            env.clock.advance(3600)
            #expect(try await env.runtime.shares.sweepOrphans(grace: 3600) == 1)
            #expect(!env.runtime.blobs.exists(id: "orphan-new"))
            #expect(env.runtime.blobs.exists(id: kept.blobID))
        }
    }

    @Test(arguments: TestDatabase.available)
    func anUploadStillInProgressKeepsItsBlobsHoweverLongItTakes(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let shares = env.runtime.shares
            let upload = try await shares.beginUpload(sender: people.alice)
            try await shares.accept(ShareDraft(subject: "Papers", message: "m", recipients: ["bob@nhs.net"],
                                               purpose: "Strategy discussion", basis: "no-personal-data"), into: upload)
            // The first file is complete, the second still streaming, three hours in.
            let first = try await upload.beginFile(name: "a.pdf", contentType: "application/pdf")
            try await first.write(Array("first".utf8))
            let done = try await first.finish()
            let second = try await upload.beginFile(name: "b.pdf", contentType: "application/pdf")
            try await second.write(Array("second, still coming".utf8))
            let streaming = try #require(try FileManager.default.contentsOfDirectory(atPath: env.directoryURL.appendingPathComponent("tmp").path).first)
            env.clock.advance(3 * 3600)
            try age(env, blobPath(done.blobID), to: env.clock.now().addingTimeInterval(-3 * 3600))
            try age(env, "tmp/\(streaming)", to: env.clock.now().addingTimeInterval(-3 * 3600))
            #expect(try await shares.sweepOrphans(grace: 3600) == 0)
            #expect(env.runtime.blobs.exists(id: done.blobID))
            #expect(env.runtime.blobs.partialCount() == 1)
            // It finishes and commits: both blobs are the share's.
            try await second.finish()
            let detail = try await shares.commit(upload)
            #expect(detail.files.count == 2)
            #expect(try await shares.sweepOrphans(grace: 3600) == 0)
            #expect(detail.files.allSatisfy { env.runtime.blobs.exists(id: $0.blobID) })
            #expect(env.deps.inProgress.current.isEmpty)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDatabaseFromANewerVersionIsRefusedWithAClearMessage(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            try await env.store.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', 0)")
            do {
                _ = try await env.runtime.migrator.pending()
                Issue.record("a newer database was accepted")
            } catch let error as StorageError {
                #expect(error == .databaseTooNew(found: 999, known: Migrations.all.map(\.version).max()!))
                #expect(error.description.contains("newer version"))
            }
            var config = env.runtime.config
            config.databaseURL = config.databaseURL ?? env.directoryURL.appendingPathComponent("safehaven.sqlite").path
            await #expect(throws: StorageError.self) { _ = try await Runtime.open(config: config) }
        }
    }
}
