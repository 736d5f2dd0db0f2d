import Foundation
import SafehavenCore
import SQLKit

/// One numbered, named schema change. Usually the same statements run on SQLite and PostgreSQL:
/// times are whole milliseconds in BIGINT and flags are 0/1 integers, so no type differs between
/// them. Where the dialects cannot share a statement (changing a column), each gets its own.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let sqlite: [String]
    let postgres: [String]

    init(version: Int, name: String, statements: [String]) {
        self.init(version: version, name: name, sqlite: statements, postgres: statements)
    }

    init(version: Int, name: String, sqlite: [String], postgres: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }

    func statements(postgres isPostgres: Bool) -> [String] { isPostgres ? postgres : sqlite }
}

/// Every schema change the code knows, in order. Each lives in its own file under `Migrations/`,
/// named by its number and what it does.
public enum Migrations {
    public static let all: [Migration] = [
        directory,
        shares,
        auditChain,
        sharePolicyNotes,
        disclosuresExportsPartnerPasswords,
        recipientsWithoutAccounts,
        listIndexes,
        installation,
        shareSecrets,
        signInThrottle,
        accreditedDomains,
        identifierPatterns,
        tokenLastUsed,
        mustChangePassword,
        recoveryCodes,
        outbox,
        invitations,
        registerEntries,
        records,
        resumableUploads,
    ]
}

/// Applies migrations in order, each in its own transaction together with its row in
/// `schema_migrations`, so a crash leaves every migration either fully applied or not at all.
public struct Migrator: Sendable {
    let backend: any DatabaseBackend
    let migrations: [Migration]

    public init(backend: any DatabaseBackend, migrations: [Migration] = Migrations.all) {
        self.backend = backend
        self.migrations = migrations
    }

    /// Migrations not yet applied, in the order they would run. Refuses a database that a newer
    /// version of Safehaven has migrated: running old code on it could lose data.
    public func pending() async throws -> [Migration] {
        let applied = try await appliedVersions()
        let known = Set(migrations.map(\.version))
        if let unknown = applied.subtracting(known).max() {
            throw StorageError.databaseTooNew(found: unknown, known: known.max() ?? 0)
        }
        return migrations.filter { !applied.contains($0.version) }
    }

    /// Versions already applied. Reads only: on a new database (no table yet) that is none.
    public func appliedVersions() async throws -> Set<Int> {
        let isPostgres = backend.isPostgres
        return try await backend.withSession { db in
            // The one place the dialects differ: asking whether a table exists.
            let exists = isPostgres
                ? try await db.raw("SELECT 1 AS x FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'").first() != nil
                : try await db.raw("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").first() != nil
            guard exists else { return [] }
            let rows = try await db.raw("SELECT version FROM schema_migrations").all()
            return Set(try rows.map { Int(try $0.decode(column: "version", as: Int64.self)) })
        }
    }

    /// Applies what is pending; returns what was applied.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [Migration] {
        if try await appliedVersions().isEmpty {
            do {
                try await backend.withTransaction { db in
                    try await db.raw("""
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                        """).run()
                }
            } catch {
                // Another instance starting at the same moment may have won the race; only fail
                // if the table still is not there.
                _ = try await backend.withSession { db in try await db.raw("SELECT 1 AS x FROM schema_migrations").all() }
            }
        }
        let todo = try await pending()
        for migration in todo {
            let isPostgres = backend.isPostgres
            try await backend.withMigrationTransaction { db in
                // Several instances may start together: only one applies each migration.
                if isPostgres { try await db.raw("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").run() }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").all()
                guard done.isEmpty else { return }
                for statement in migration.statements(postgres: isPostgres) { try await db.raw(SQLQueryString(statement)).run() }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Millis.from(now)))
                    """).run()
            }
        }
        return todo
    }
}

/// Dates as whole milliseconds since 1970, the one time type both databases store exactly.
enum Millis {
    static func from(_ date: Date) -> Int64 { AuditEvent.millis(date) }
    static func from(_ date: Date?) -> Int64? { date.map { from($0) } }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(millis) / 1000) }
    static func date(_ millis: Int64?) -> Date? { millis.map { date($0) } }
}
