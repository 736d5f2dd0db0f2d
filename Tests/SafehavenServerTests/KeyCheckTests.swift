import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenTestSupport
import Testing

/// Keys are handled like keys: never made anew beside existing data, never readable by others,
/// and always the ones the database was made with.
@Suite struct KeyCheckTests {
    func opening(_ env: TestEnvironment, masterKey: String? = nil) async throws {
        var config = env.runtime.config
        config.masterKey = masterKey
        let runtime = try await Runtime.open(config: config)
        await runtime.close()
    }

    func expectRefusal(_ text: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a refusal mentioning \(text)")
        } catch let error as ConfigError {
            #expect(error.description.contains(text), "\(error.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aMissingKeyBesideExistingDataStopsTheStart(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            let key = env.directoryURL.appendingPathComponent("master.key")
            let saved = try Data(contentsOf: key)
            try FileManager.default.removeItem(at: key)
            await expectRefusal("master.key is missing") { try await opening(env) }
            #expect(!FileManager.default.fileExists(atPath: key.path))
            // Restored, it opens again.
            #expect(FileManager.default.createFile(atPath: key.path, contents: saved, attributes: [.posixPermissions: 0o600]))
            try await opening(env)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDifferentKeyIsRefusedByItsID(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            let other = KeyEncryptionKey.generateEncoded(random: SeededRandomSource(seed: 7))
            await expectRefusal("is not the one this database was made with") { try await opening(env, masterKey: other) }
            let audit = env.directoryURL.appendingPathComponent("audit.key")
            try Data((CheckpointSigner.generateEncoded(random: SeededRandomSource(seed: 8)) + "\n").utf8).write(to: audit)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: audit.path)
            await expectRefusal("audit signing key") { try await opening(env) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func keyFilesOthersCanReadAreRefused(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let key = env.directoryURL.appendingPathComponent("master.key")
            for mode in [0o644, 0o640, 0o604] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: key.path)
                await expectRefusal("chmod 600") { try await opening(env) }
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            try await opening(env)
        }
    }
}

@Suite struct FileModeTests {
    @Test func everyFileInTheDataDirectoryIsOwnerOnly() async throws {
        try await TestEnvironment.with(.sqlite) { env in
            let people = try await env.seedPeople()
            let upload = try await env.runtime.shares.beginUpload(sender: people.alice)
            try await env.runtime.shares.accept(ShareDraft(subject: "Papers", message: "m", recipients: ["bob@nhs.net"],
                                                           purpose: "Strategy discussion", basis: "no-personal-data"), into: upload)
            let file = try await upload.beginFile(name: "a.pdf", contentType: "application/pdf")
            try await file.write(Array("content".utf8))
            try await file.finish()
            _ = try await env.runtime.shares.commit(upload)
            let enumerator = try #require(FileManager.default.enumerator(atPath: env.directoryURL.path))
            var checked = 0
            while let relative = enumerator.nextObject() as? String {
                let attributes = try FileManager.default.attributesOfItem(atPath: env.directoryURL.appendingPathComponent(relative).path)
                let mode = try #require(attributes[.posixPermissions] as? Int)
                #expect(mode & 0o077 == 0, "\(relative) has mode \(String(mode, radix: 8))")
                checked += 1
            }
            #expect(checked >= 6)  // keys, database and its journal, blob folders and the blob
        }
    }
}
