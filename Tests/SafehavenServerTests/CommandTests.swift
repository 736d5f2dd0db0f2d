import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// The CLI's actions against a store the way an operator uses them (fresh data directory each).
@Suite struct CommandTests {
    @Test(arguments: TestDatabase.available)
    func operatorCommandsWorkOnAFreshDataDirectory(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env async throws in
            // A second data directory on the same database, as a CLI beside a running server would use.
            var config = env.runtime.config
            config.dataDirectory = env.directoryURL
            config.passwordCost = 10
            #expect(try await Commands.migrate(config: config, dryRun: true) == "up to date: no pending migrations")
            let id = try await Commands.addOrganisation(config: config, name: "Merton Council", domains: ["Merton.gov.uk."],
                                                        switchboard: "020 8274 4901", address: "Morden")
            #expect(!id.isEmpty && !id.contains(" "))
            let (user, generated) = try await Commands.addUser(config: config, input: .init(
                email: "alice@merton.gov.uk", name: "Alice Smith", organisation: "merton.gov.uk", jobTitle: "Social worker",
                phone: "020 1"))
            #expect(user.organisationID == id)
            let password = try #require(generated)
            #expect(password.count == 29)
            let token = try await Commands.createToken(config: config, email: "alice@merton.gov.uk", days: 7)
            #expect(token.hasPrefix("shv_"))
            await #expect(throws: SafehavenError.self) { try await Commands.createToken(config: config, email: "nobody@merton.gov.uk", days: 7) }
            await #expect(throws: SafehavenError.self) { try await Commands.createToken(config: config, email: "alice@merton.gov.uk", days: 0) }
            let (line, ok) = try await Commands.verifyAudit(config: config)
            #expect(ok)
            #expect(line.hasPrefix("ok: the audit trail holds 3 events"))
        }
    }

    /// Every migration, one per line, as the command lists them.
    static var migrationLines: String { Migrations.all.map { "  \($0.version) \($0.name)" }.joined(separator: "\n") }

    @Test func migrateDryRunListsEverythingOnANewDirectory() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = AppConfig(dataDirectory: dir)
        let listing = try await Commands.migrate(config: config, dryRun: true)
        #expect(listing == "would apply:\n" + Self.migrationLines)
        // The dry run changed nothing: no migration is recorded and no table was made.
        let untouched = try await Runtime.open(config: config, migrate: false)
        #expect(try await untouched.migrator.appliedVersions().isEmpty)
        #expect(try await untouched.migrator.pending().count == Migrations.all.count)
        await untouched.close()
        #expect(try await Commands.migrate(config: config, dryRun: false) == "applied:\n" + Self.migrationLines)
        #expect(try await Commands.migrate(config: config, dryRun: true) == "up to date: no pending migrations")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("master.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func environmentIsReadOnceIntoAPlainValue() throws {
        let config = try AppConfig.fromEnvironment(["SAFEHAVEN_DATA_DIR": "/tmp/x", "SAFEHAVEN_PORT": "9000",
                                                    "SAFEHAVEN_MAX_SHARE_BYTES": "1000", "SAFEHAVEN_LOG_LEVEL": "debug"],
                                                   port: 9001)
        #expect(config.dataDirectory.path == "/tmp/x")
        #expect(config.port == 9001)
        #expect(config.limits.maxShareBytes == 1000)
        #expect(config.logLevel == .debug)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFEHAVEN_MAX_SHARE_BYTES": "-1"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFEHAVEN_PORT": "70000"]) }
    }
}

@Suite struct RuleCommandTests {
    @Test func routeCommandSpeaksJSONAndText() throws {
        let json = try Commands.route(from: "colleague.one@nhs.net", to: "colleague.two@nhs.net", profile: "merton", policyFile: nil, json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["secure", "verdict", "rule", "reasons", "warnings"])
        #expect(object["secure"] as? Bool == true)
        let text = try Commands.route(from: "a@evilnhs.net", to: "b@nhs.net", profile: nil, policyFile: nil, json: false)
        #expect(text.hasPrefix("NOT SECURE"))
        #expect(throws: PolicyError.self) { try Commands.route(from: "a@nhs.net", to: "b@nhs.net", profile: "nope", policyFile: nil, json: false) }
        #expect(throws: PolicyError.self) { try Commands.route(from: "a@nhs.net", to: "b@nhs.net", profile: nil, policyFile: "/no/such/file.json", json: false) }
    }

    @Test func routeCommandReadsAPolicyFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"name":"local","networks":[{"name":"Borough","domains":["borough.gov.uk","borough.sch.uk"]}]}"#.utf8).write(to: file)
        let text = try Commands.route(from: "a@borough.gov.uk", to: "b@borough.sch.uk", profile: nil, policyFile: file.path, json: false)
        #expect(text.hasPrefix("SECURE"))
        try Data(#"{"name":"bad","networks":[{"name":"x","domains":["not a domain"]}]}"#.utf8).write(to: file)
        #expect(throws: PolicyError.self) { try Commands.route(from: "a@x.uk", to: "b@x.uk", profile: nil, policyFile: file.path, json: false) }
    }

    @Test func checkSubjectAndAdvise() throws {
        let (report, clean) = try Commands.checkSubject("Case 943 476 5919", names: [], json: false)
        #expect(!clean && report.contains("an NHS number at characters 6–17"))
        #expect(try Commands.checkSubject("Core group minutes", names: [], json: false).1)
        let advice = try Commands.advise(.init(marking: "OFFICIAL", people: 1, urgency: .routine, from: "a@nhs.net", to: "b@nhs.net"),
                                         profile: nil, policyFile: nil, json: false)
        #expect(advice.contains("1. Safehaven share"))
        #expect(advice.contains("Never:"))
    }
}
