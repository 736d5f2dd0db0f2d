import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenArchive
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing

/// Archive entry names: readable without the password, so they must not identify anyone, must be
/// what the sender gave, and must not collide.
@Suite struct ArchiveNamesTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [("case/notes.txt", "case/notes.txt"), ("./case/sub/", "case/sub"), ("notes.txt", "notes.txt"),
                      ("/tmp/a/notes.txt", "notes.txt"), ("../elsewhere/notes.txt", "notes.txt"), ("case/../x.txt", "x.txt")])
    func pathsGivenRelativeAreKeptAsGiven(path: String, name: String) {
        #expect(Commands.entryPrefix(for: path) == name)
    }

    @Test func twoEntriesNeverShareAName() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for folder in ["a", "b", "c"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            try Data(folder.utf8).write(to: dir.appendingPathComponent("\(folder)/Notes.txt"))
        }
        try Data("upper".utf8).write(to: dir.appendingPathComponent("a/NOTES.TXT"))
        let paths = ["a/Notes.txt", "b/Notes.txt", "c/Notes.txt", "a/NOTES.TXT"].map { dir.appendingPathComponent($0).path }
        let out = dir.appendingPathComponent("out.zip").path
        let names = try Commands.createArchive(out: out, paths: paths, password: Commands.generateArchivePassword())
        #expect(Set(names.map { $0.lowercased() }).count == 4)
        #expect(try AESZipReader(path: out).entries.map(\.name) == names)
    }

    @Test func namesThatIdentifySomeoneAreRefusedWrappedOrAllowed() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("Jayden Smith 943 476 5919.txt")
        try Data("chronology".utf8).write(to: file)
        let password = Commands.generateArchivePassword()
        #expect(throws: SafehavenError.self) {
            try Commands.createArchive(out: dir.appendingPathComponent("refused.zip").path, paths: [file.path], password: password)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("refused.zip").path))
        // A name given in --about is caught even without an identifier.
        let named = dir.appendingPathComponent("Jayden review.txt")
        try Data("x".utf8).write(to: named)
        #expect(throws: SafehavenError.self) {
            try Commands.createArchive(out: dir.appendingPathComponent("about.zip").path, paths: [named.path], password: password, about: ["Jayden"])
        }
        // Wrapped: only the neutral inner name shows, and the inner archive opens with the same password.
        let wrapped = dir.appendingPathComponent("wrapped.zip").path
        #expect(try Commands.createArchive(out: wrapped, paths: [file.path], password: password, names: .wrap) == ["contents.zip"])
        #expect(try AESZipReader(path: wrapped).entries.map(\.name) == ["contents.zip"])
        _ = try Commands.extractArchive(wrapped, to: dir.appendingPathComponent("outer").path, password: password)
        let inner = try Commands.extractArchive(dir.appendingPathComponent("outer/contents.zip").path, to: dir.appendingPathComponent("inner").path,
                                                password: password)
        #expect(inner == ["Jayden Smith 943 476 5919.txt"])
        // Allowed on purpose.
        let allowed = try Commands.createArchive(out: dir.appendingPathComponent("allowed.zip").path, paths: [file.path], password: password, names: .allow)
        #expect(allowed == ["Jayden Smith 943 476 5919.txt"])
    }

    @Test(arguments: TestDatabase.available)
    func shareExportsRefuseIdentifyingNamesUnlessWrapped(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            // A file named by an NHS number is about a person: it is shared under a consent.
            try await env.consentedSubject("CP-1", for: people)
            let id = try #require(try await api.send(token: alice, API.share(["basis": "consent", "caseReferences": ["CP-1"]]),
                                                     files: [("943 476 5919 chronology.pdf", Data("c".utf8))]).json["id"] as? String)
            let refused = try await api.call(.post, "/api/v1/shares/\(id)/export", token: alice)
            #expect(refused.status == .unprocessableContent && refused.errorCode == "identifying_file_names")
            #expect(try refused.error().message.contains("nhs_number"))
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/export?names=sideways", token: alice).status == .unprocessableContent)
            let wrapped = try await api.call(.post, "/api/v1/shares/\(id)/export?names=wrap", token: alice)
            #expect(wrapped.status == .created)
            let password = try #require(try wrapped.json["password"] as? String)
            let download = try #require(try wrapped.json["download"] as? String)
            let zip = try await api.call(.get, download, token: alice)
            let dir = env.directoryURL.appendingPathComponent("export-check")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(zip.bytes).write(to: dir.appendingPathComponent("s.zip"))
            #expect(try AESZipReader(path: dir.appendingPathComponent("s.zip").path).entries.map(\.name) == ["contents.zip"])
            _ = try Commands.extractArchive(dir.appendingPathComponent("s.zip").path, to: dir.appendingPathComponent("o").path, password: password)
            let inner = try Commands.extractArchive(dir.appendingPathComponent("o/contents.zip").path, to: dir.appendingPathComponent("i").path,
                                                    password: password)
            #expect(inner == ["message.txt", "943 476 5919 chronology.pdf"])
        }
    }
}
