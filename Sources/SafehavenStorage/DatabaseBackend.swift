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
    /// Drops every copy of deleted rows the engine still keeps (see `Store.reclaimDestroyed`).
    func reclaimDeleted() async throws
    /// Writes a consistent copy of the whole database to `path` while the service keeps running
    /// (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump`, custom format).
    func snapshot(to path: String) async throws
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
    case busy(String)

    public var description: String {
        switch self {
        case .badDatabaseURL(let why): return "bad database URL: \(why)"
        case .badBlobID: return "bad blob id"
        case .blobMissing: return "the sealed content is missing from the blob store"
        case .migrationFailed(let why): return "migration failed: \(why)"
        case .busy(let why): return "busy: \(why)"
        case .databaseTooNew(let found, let known):
            return "the database has migration \(found) but this version of Safehaven knows only up to \(known): " +
                "a newer version has used it. Run that version (or newer), or restore a backup made before the upgrade."
        }
    }
}
