import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// A connection to one of the two supported databases, handing out `SQLDatabase` sessions.
/// Everything above this file is the same SQL for both.
public protocol DatabaseBackend: Sendable {
    var isPostgres: Bool { get }
    /// Runs `body` on one session (no transaction).
    func withSession<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a transaction on one session; commits if it returns, rolls back if it throws.
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// A transaction for a schema change. On SQLite, foreign keys are off while it runs (so a table
    /// can be rebuilt) and every reference is checked before it commits.
    func withMigrationTransaction(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws
    func close() async
}

extension DatabaseBackend {
    public func withMigrationTransaction(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        try await withTransaction(body)
    }
}

/// Where the database is, parsed from `--database-url` / `SAFEHAVEN_DATABASE_URL`.
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    /// `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:///path` or a plain path for SQLite.
    public static func parse(_ text: String) throws -> DatabaseLocation {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .postgres(url: text) }
        if text.hasPrefix("sqlite://") { return .sqlite(path: String(text.dropFirst("sqlite://".count))) }
        if text.contains("://") { throw StorageError.badDatabaseURL("only postgres:// and sqlite:// URLs are supported") }
        return .sqlite(path: text)
    }

    public func open(logger: Logger) async throws -> any DatabaseBackend {
        switch self {
        case .sqlite(let path): return try await SQLiteBackend.open(path: path, logger: logger)
        case .postgres(let url): return try PostgresBackend(url: url, logger: logger)
        }
    }
}

/// BEGIN, the body, then COMMIT; ROLLBACK if anything throws.
func runTransaction<T>(on db: any SQLDatabase, begin: String, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
    try await db.raw(SQLQueryString(begin)).run()
    do {
        let value = try await body(db)
        try await db.raw("COMMIT").run()
        return value
    } catch {
        try? await db.raw("ROLLBACK").run()
        throw error
    }
}

public enum StorageError: Error, CustomStringConvertible, Equatable {
    case badDatabaseURL(String)
    case badBlobID
    case blobMissing
    case migrationFailed(String)
    case databaseTooNew(found: Int, known: Int)

    public var description: String {
        switch self {
        case .badDatabaseURL(let why): return "bad database URL: \(why)"
        case .badBlobID: return "bad blob id"
        case .blobMissing: return "the sealed content is missing from the blob store"
        case .migrationFailed(let why): return "migration failed: \(why)"
        case .databaseTooNew(let found, let known):
            return "the database has migration \(found) but this version of Safehaven knows only up to \(known): " +
                "a newer version has used it. Run that version (or newer), or restore a backup made before the upgrade."
        }
    }
}

/// SQLite: one connection in WAL mode with foreign keys on, serialised by a lock. Writers take the
/// database lock up front (`BEGIN IMMEDIATE`) and wait up to 10 s for another process (a CLI
/// command beside a running server) to finish.
public final class SQLiteBackend: DatabaseBackend, @unchecked Sendable {
    public let isPostgres = false
    private let connection: SQLiteConnection
    private let mutex = AsyncMutex()

    init(connection: SQLiteConnection) { self.connection = connection }

    public static func open(path: String, logger: Logger) async throws -> SQLiteBackend {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = connection.sql()
        try await db.raw("PRAGMA busy_timeout = 10000").run()
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw("PRAGMA synchronous = FULL").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        return SQLiteBackend(connection: connection)
    }

    public func withSession<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = connection.sql()
        return try await mutex.withLock { try await body(db) }
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = connection.sql()
        return try await mutex.withLock { try await runTransaction(on: db, begin: "BEGIN IMMEDIATE", body) }
    }

    public func withMigrationTransaction(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let db = connection.sql()
        try await mutex.withLock {
            // Only takes effect outside a transaction, hence before BEGIN.
            try await db.raw("PRAGMA foreign_keys = OFF").run()
            do {
                try await runTransaction(on: db, begin: "BEGIN IMMEDIATE") { db in
                    try await body(db)
                    let broken = try await db.raw("PRAGMA foreign_key_check").all()
                    guard broken.isEmpty else { throw StorageError.migrationFailed("\(broken.count) broken references") }
                }
            } catch {
                try? await db.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
            try await db.raw("PRAGMA foreign_keys = ON").run()
        }
    }

    public func close() async {
        try? await connection.close()
    }
}

/// PostgreSQL through a pooled `PostgresClient`; several stateless instances can share one server.
public final class PostgresBackend: DatabaseBackend, @unchecked Sendable {
    public let isPostgres = true
    let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    public init(url: String, logger: Logger) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StorageError.badDatabaseURL("cannot read host from the PostgreSQL URL")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    public func withSession<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql())
        }
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await runTransaction(on: connection.sql(), begin: "BEGIN", body)
        }
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }
}
