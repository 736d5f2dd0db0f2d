import Foundation
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SQLKit
import PostgresKit
import Synchronization

/// A clock tests move by hand.
public final class TestClock: Clock, Sendable {
    private let current: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Ids `t-000001`, `t-000002`, … so tests can predict them.
public final class SequentialIDs: IDGenerator, Sendable {
    private let counter = Mutex(0)
    private let prefix: String
    public init(prefix: String = "t") { self.prefix = prefix }
    public func next() -> String {
        counter.withLock { counter in
            counter += 1
            return "\(prefix)-" + String(format: "%06d", counter)
        }
    }
}

/// The databases a suite runs on: SQLite always, PostgreSQL when `scripts/test` provides one.
public enum TestDatabase: String, CustomStringConvertible, Sendable, CaseIterable {
    case sqlite, postgres
    public var description: String { rawValue }

    /// Admin URL of the throwaway server `scripts/test` starts.
    public static var postgresAdminURL: String? { ProcessInfo.processInfo.environment["SAFEHAVEN_TEST_POSTGRES_URL"] }

    public static var available: [TestDatabase] {
        if postgresAdminURL != nil { return [.sqlite, .postgres] }
        if ProcessInfo.processInfo.environment["SAFEHAVEN_TEST_REQUIRE_POSTGRES"] == "1" {
            fatalError("SAFEHAVEN_TEST_REQUIRE_POSTGRES is set but SAFEHAVEN_TEST_POSTGRES_URL is not")
        }
        return [.sqlite]
    }
}

/// A complete, isolated installation for one test: temp data dir, its own database (a fresh
/// PostgreSQL database per test), injected clock, ids and randomness, cheap password hashing.
public final class TestEnvironment: Sendable {
    public let runtime: Runtime
    public let clock: TestClock
    /// Counts every statement the store sends.
    public let queries: QueryCounter
    public let directoryURL: URL
    public let database: TestDatabase
    private let dropDatabase: String?

    public var deps: Dependencies { runtime.deps }
    public var store: SQLStore { runtime.store }
    /// The PostgreSQL database made for this test; nil on SQLite.
    public var databaseName: String? { dropDatabase }

    /// - Parameter migrate: false leaves the database empty, for tests of the migrations themselves.
    public static func make(_ database: TestDatabase, limits: Limits = Limits(), seed: UInt64 = 42,
                            migrate: Bool = true, configure: (inout AppConfig) -> Void = { _ in }) async throws -> TestEnvironment {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safehaven-test-\(UUID().uuidString)")
        var dbName: String?
        var url: String?
        if database == .postgres {
            guard let admin = TestDatabase.postgresAdminURL else { throw ConfigError("no PostgreSQL for tests") }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await Self.adminExecute(admin, "CREATE DATABASE \(name)")
            dbName = name
            var components = URLComponents(string: admin)!
            components.path = "/\(name)"
            url = components.string
        }
        var config = AppConfig(dataDirectory: dir, databaseURL: url, host: "127.0.0.1", port: 0)
        config.passwordCost = 10
        config.limits = limits
        config.logLevel = .warning
        configure(&config)
        let clock = TestClock()
        var logger = Logger(label: "safehaven-test")
        logger.logLevel = .warning
        let queries = QueryCounter()
        let runtime = try await Runtime.open(config: config, clock: clock, ids: SequentialIDs(),
                                             random: SeededRandomSource(seed: seed), migrate: migrate, counter: queries, logger: logger)
        return TestEnvironment(runtime: runtime, clock: clock, queries: queries, directoryURL: dir, database: database, dropDatabase: dbName)
    }

    init(runtime: Runtime, clock: TestClock, queries: QueryCounter, directoryURL: URL, database: TestDatabase, dropDatabase: String?) {
        self.runtime = runtime
        self.clock = clock
        self.queries = queries
        self.directoryURL = directoryURL
        self.database = database
        self.dropDatabase = dropDatabase
    }

    /// Closes the database, drops a PostgreSQL test database and removes the data directory.
    public func shutdown() async {
        await runtime.close()
        if let name = dropDatabase, let admin = TestDatabase.postgresAdminURL {
            try? await Self.adminExecute(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        try? FileManager.default.removeItem(at: directoryURL)
    }

    public static func adminExecute(_ url: String, _ sql: String) async throws {
        let backend = try PostgresBackend(url: url, logger: Logger(label: "test-admin"))
        defer { Task { await backend.close() } }
        try await backend.withSession { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    /// Runs `body` with a fresh environment and always cleans up.
    public static func with(_ database: TestDatabase, limits: Limits = Limits(), migrate: Bool = true,
                            configure: (inout AppConfig) -> Void = { _ in },
                            _ body: (TestEnvironment) async throws -> Void) async throws {
        let env = try await make(database, limits: limits, migrate: migrate, configure: configure)
        do {
            try await body(env)
            await env.shutdown()
        } catch {
            await env.shutdown()
            throw error
        }
    }

    // MARK: fixtures

    public static let alicePassword = "violet-harbour-lantern-42"
    public static let bobPassword = "copper-meadow-thistle-77"
    public static let carolPassword = "granite-orchard-pebble-19"

    public struct People: Sendable {
        public let alice: User   // Merton Council practitioner
        public let bob: User     // NHS nurse
        public let carol: User   // another council, unrelated
    }

    /// Three organisations and one person in each.
    public func seedPeople() async throws -> People {
        let directory = runtime.directory
        let merton = try await directory.createOrganisation(name: "Merton Council", domains: ["merton.gov.uk"],
                                                            switchboard: "020 8274 4901", address: "Civic Centre, Morden")
        let nhs = try await directory.createOrganisation(name: "St Helier Hospital", domains: ["nhs.net"],
                                                         switchboard: "020 8296 2000", address: "Wrythe Lane, Carshalton")
        let sutton = try await directory.createOrganisation(name: "Sutton Council", domains: ["sutton.gov.uk"],
                                                            switchboard: "020 8770 5000", address: "Civic Offices, Sutton")
        let alice = try await directory.createUser(.init(email: "alice@merton.gov.uk", name: "Alice Smith", organisation: merton.id,
                                                         jobTitle: "Social worker", phone: "020 8274 1111", password: Self.alicePassword)).user
        let bob = try await directory.createUser(.init(email: "bob@nhs.net", name: "Bob Jones", organisation: nhs.id,
                                                       jobTitle: "Named nurse", phone: "020 8296 2222", password: Self.bobPassword)).user
        let carol = try await directory.createUser(.init(email: "carol@sutton.gov.uk", name: "Carol White", organisation: sutton.domains[0],
                                                         jobTitle: "Team manager", phone: "020 8770 3333", roles: [.manager],
                                                         password: Self.carolPassword)).user
        return People(alice: alice, bob: bob, carol: carol)
    }
}
