import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenArchive
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

@Suite struct ExportTests {
    @Test(arguments: TestDatabase.available)
    func senderExportsAnArchiveThatOpensWithTheOneTimePassword(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let report = Data(String(repeating: "Chronology entry.\n", count: 5000).utf8)
            let sent = try await api.send(token: alice, API.share(), files: [("chronology.txt", report), ("chronology.txt", Data("again".utf8))])
            let id = try #require(sent.json["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/export", token: bob).status == .forbidden)
            let exported = try await api.call(.post, "/api/v1/shares/\(id)/export", token: alice)
            #expect(exported.status == .created)
            let password = try #require(exported.json["password"] as? String)
            #expect(password.count == 35)
            #expect(try (exported.json["reminder"] as? String)?.contains("another channel") == true)
            let download = try #require(exported.json["download"] as? String)
            #expect(try await api.call(.get, download, token: bob).status == .notFound)
            let zip = try await api.call(.get, download, token: alice)
            #expect(zip.status == .ok)
            #expect(zip.headers[.contentType] == "application/zip")

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("share.zip")
            try Data(zip.bytes).write(to: path)
            let reader = try AESZipReader(path: path.path)
            #expect(reader.entries.map(\.name) == ["message.txt", "chronology.txt", "chronology (2).txt"])
            try reader.extract(to: dir.appendingPathComponent("out"), password: password)
            #expect(try Data(contentsOf: dir.appendingPathComponent("out/chronology.txt")) == report)
            let message = try String(contentsOf: dir.appendingPathComponent("out/message.txt"), encoding: .utf8)
            #expect(message.contains("Purpose: Child protection strategy discussion") && message.hasSuffix("Papers for Thursday's meeting."))

            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("share.exported"))
            let register = try await env.store.read { try await $0.disclosures(organisationID: people.alice.organisationID) }
            #expect(register.map(\.method) .contains(.encryptedArchive))
            #expect(register.contains { $0.method == .safehaven && $0.recipientName == "Bob Jones" && $0.recipientOrganisation == "St Helier Hospital" })

            // Withdrawing the share destroys the archive too.
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/revoke", token: alice).status == .ok)
            #expect(try await api.call(.get, download, token: alice).status == .gone)
            #expect(env.runtime.blobs.count() == 0)
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/export", token: alice).status == .gone)
        }
    }

    @Test(arguments: TestDatabase.available)
    func partnerPasswordsAreSealedRevealedToTheirOrganisationAndFlaggedForRotation(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            var alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let carol = try await api.login("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            let created = try await api.call(.post, "/api/v1/archive-passwords", token: alice, json: ["partner": "St Helier Hospital", "purpose": "Weekly caseload list"])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let password = try #require(created.json["password"] as? String)
            #expect(try await api.call(.post, "/api/v1/archive-passwords", token: alice, json: ["partner": "X", "purpose": "Y", "password": "short"]).errorCode == "invalid_password")
            #expect(try await api.call(.post, "/api/v1/archive-passwords", token: alice, json: ["partner": "X", "purpose": "Y", "rotateDays": 500]).errorCode == "invalid_rotate_days")
            let stored = try await env.store.read { try await $0.partnerPassword(id: id) }
            #expect(stored?.passwordSealed.contains(password) == false)

            #expect(try await api.call(.post, "/api/v1/archive-passwords/\(id)/reveal", token: alice).json["password"] as? String == password)
            #expect(try await api.call(.post, "/api/v1/archive-passwords/\(id)/reveal", token: carol).status == .notFound)
            #expect((try await api.call(.get, "/api/v1/archive-passwords", token: carol).json["passwords"] as? [Any])?.isEmpty == true)

            let listed = try await api.call(.get, "/api/v1/archive-passwords", token: alice)
            #expect(try (listed.json["passwords"] as? [[String: Any]])?.first?["rotationDue"] as? Bool == false)
            env.clock.advance(90 * 86_400)
            alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await PartnerPasswordService(env.deps).due().map(\.id) == [id])
            let due = try await api.call(.get, "/api/v1/archive-passwords", token: alice)
            #expect(try (due.json["passwords"] as? [[String: Any]])?.first?["rotationDue"] as? Bool == true)
            let rotated = try await api.call(.post, "/api/v1/archive-passwords/\(id)/rotate", token: alice)
            #expect(rotated.status == .created)
            #expect(try rotated.json["password"] as? String != password)
            let after = try #require(try await api.call(.get, "/api/v1/archive-passwords", token: alice).json["passwords"] as? [[String: Any]])
            #expect(after.count == 1 && after.first?["rotationDue"] as? Bool == false)
            #expect(try await PartnerPasswordService(env.deps).due().isEmpty)
            #expect(try await api.call(.post, "/api/v1/archive-passwords/\(id)/reveal", token: alice).status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func registerIsForInformationGovernanceOnly(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            _ = try await api.send(token: alice, API.share())
            // A practitioner sees the records they made (here, their share's), and nobody else's.
            let own = try #require(try await api.call(.get, "/api/v1/register", token: alice).json["disclosures"] as? [[String: Any]])
            #expect(own.count == 1 && own.first?["recordedBy"] as? String == people.alice.id)
            _ = try await env.runtime.directory.createUser(.init(email: "ig@merton.gov.uk", name: "Iris Green", organisation: "merton.gov.uk",
                                                                 jobTitle: "Data protection officer", phone: "020 1", roles: [.igOfficer],
                                                                 password: "saffron-kettle-orbit-55"))
            let ig = try await api.login("ig@merton.gov.uk", "saffron-kettle-orbit-55")
            let register = try await api.call(.get, "/api/v1/register", token: ig)
            let rows = try #require(register.json["disclosures"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["method"] as? String == "safehaven")
            #expect(rows.first?["reason"] as? String == "Child protection strategy discussion")
            #expect(rows.first?["recipientJobTitle"] as? String == "Named nurse")
            #expect(rows.first?["recipientPhone"] as? String == "020 8296 2222")
            // Another organisation's officer sees nothing of Merton's.
            _ = try await env.runtime.directory.createUser(.init(email: "ig@sutton.gov.uk", name: "Sam Grey", organisation: "sutton.gov.uk",
                                                                 jobTitle: "DPO", phone: "1", roles: [.igOfficer], password: "saffron-kettle-orbit-56"))
            let other = try await api.login("ig@sutton.gov.uk", "saffron-kettle-orbit-56")
            #expect((try await api.call(.get, "/api/v1/register", token: other).json["disclosures"] as? [Any])?.isEmpty == true)
        }
    }
}

@Suite struct ArchiveCommandTests {
    @Test func createAndExtractThroughTheCommands() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-zip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("case/notes")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try Data("minutes".utf8).write(to: src.appendingPathComponent("minutes.txt"))
        try Data(repeating: 7, count: 100_000).write(to: dir.appendingPathComponent("case/scan.bin"))
        let password = Commands.generateArchivePassword()
        #expect(password.split(separator: "-").count == 6)
        let out = dir.appendingPathComponent("case.zip").path
        let names = try Commands.createArchive(out: out, paths: [dir.appendingPathComponent("case").path], password: password)
        #expect(names == ["case/notes/minutes.txt", "case/scan.bin"])
        #expect(throws: ArchiveError.self) { try Commands.createArchive(out: out, paths: [dir.path], password: password) }
        #expect(throws: SafehavenError.self) { try Commands.createArchive(out: out + "2", paths: [dir.path], password: "password1234567890") }
        #expect(throws: SafehavenError.self) { try Commands.createArchive(out: out + "3", paths: [dir.path], password: "too-short") }
        #expect(!FileManager.default.fileExists(atPath: out + "2") && !FileManager.default.fileExists(atPath: out + "2.partial"))
        let extracted = try Commands.extractArchive(out, to: dir.appendingPathComponent("x").path, password: password)
        #expect(extracted == names)
        #expect(try Data(contentsOf: dir.appendingPathComponent("x/case/scan.bin")) == Data(repeating: 7, count: 100_000))
        #expect(throws: ArchiveError.wrongPassword) { try Commands.extractArchive(out, to: dir.appendingPathComponent("y").path, password: "nope-nope-nope-nope") }
    }
}

@Suite struct PartnerPasswordAccessTests {
    @Test(arguments: TestDatabase.available)
    func onlyTheRegistrarAManagerOrAnIGOfficerSeeOrChangeAPassword(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let directory = env.runtime.directory
            let colleaguePassword = "amber-quarry-lantern-58"
            let managerPassword = "cobalt-fjord-meadow-31"
            _ = try await directory.createUser(.init(email: "dan@merton.gov.uk", name: "Dan Green", organisation: people.alice.organisationID,
                                                     jobTitle: "Social worker", phone: "1", password: colleaguePassword))
            _ = try await directory.createUser(.init(email: "eve@merton.gov.uk", name: "Eve Black", organisation: people.alice.organisationID,
                                                     jobTitle: "Team manager", phone: "2", roles: [.manager], password: managerPassword))
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let dan = try await api.login("dan@merton.gov.uk", colleaguePassword)
            let eve = try await api.login("eve@merton.gov.uk", managerPassword)
            let created = try await api.call(.post, "/api/v1/archive-passwords", token: alice,
                                             json: ["partner": "St Helier Hospital", "purpose": "Discharge summaries"])
            let id = try #require(try created.json["id"] as? String)
            // A colleague sees that it exists, but not the password, and cannot replace it.
            #expect(try await api.call(.get, "/api/v1/archive-passwords", token: dan).decode(PasswordList.self).passwords.map(\.id) == [id])
            for action in ["reveal", "rotate"] {
                let refused = try await api.call(.post, "/api/v1/archive-passwords/\(id)/\(action)", token: dan)
                #expect(refused.status == .forbidden)
                #expect(try refused.error().code == "not_permitted")
            }
            #expect(try await api.call(.post, "/api/v1/archive-passwords/\(id)/reveal", token: eve).status == .ok)
            #expect(try await api.call(.post, "/api/v1/archive-passwords/\(id)/reveal", token: alice).status == .ok)
            let reveals = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }
                .filter { $0.action == "partner_password.revealed" || $0.action.hasSuffix("revealed") }
            #expect(reveals.count == 2)
        }
    }

    struct PasswordList: Decodable {
        struct Item: Decodable { let id: String }
        let passwords: [Item]
    }
}
