import Foundation
import SafehavenCore
import SQLKit

/// One numbered, named schema change. The same statements run on SQLite and PostgreSQL: times are
/// whole milliseconds in BIGINT and flags are 0/1 integers, so no type differs between them.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let statements: [String]
}

public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "directory", statements: [
            """
            CREATE TABLE organisations (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, switchboard TEXT NOT NULL, address TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE organisation_domains (
                domain TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id))
            """,
            "CREATE INDEX organisation_domains_org ON organisation_domains(organisation_id)",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id),
                email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, job_title TEXT NOT NULL, department TEXT NOT NULL,
                phone TEXT NOT NULL, roles TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT,
                totp_enabled BIGINT NOT NULL, totp_last_counter BIGINT, failed_logins BIGINT NOT NULL,
                last_failed_at BIGINT, locked_until BIGINT, disabled BIGINT NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX users_org ON users(organisation_id)",
            """
            CREATE TABLE access_tokens (
                id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)
            """,
        ]),
        Migration(version: 2, name: "shares", statements: [
            """
            CREATE TABLE shares (
                id TEXT PRIMARY KEY, sender_id TEXT NOT NULL REFERENCES users(id),
                sender_org_id TEXT NOT NULL REFERENCES organisations(id), subject TEXT NOT NULL, message_sealed TEXT,
                wrapped_key TEXT, marking TEXT NOT NULL, legacy_marking TEXT, purpose TEXT NOT NULL, handling TEXT NOT NULL,
                view_only BIGINT NOT NULL, require_receipt BIGINT NOT NULL, created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL, revoked_at BIGINT, expired_at BIGINT, destroyed_at BIGINT,
                parent_id TEXT REFERENCES shares(id), thread_id TEXT NOT NULL)
            """,
            "CREATE INDEX shares_sender ON shares(sender_id, created_at)",
            "CREATE INDEX shares_expiry ON shares(expires_at)",
            "CREATE INDEX shares_thread ON shares(thread_id)",
            """
            CREATE TABLE share_recipients (
                id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id), user_id TEXT NOT NULL REFERENCES users(id),
                email TEXT NOT NULL, receipt_at BIGINT, deleted_at BIGINT, UNIQUE (share_id, user_id))
            """,
            "CREATE INDEX share_recipients_user ON share_recipients(user_id)",
            """
            CREATE TABLE share_files (
                id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id), position BIGINT NOT NULL,
                name TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,
                blob_id TEXT NOT NULL UNIQUE)
            """,
            "CREATE INDEX share_files_share ON share_files(share_id)",
            """
            CREATE TABLE tracking_events (
                id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id),
                recipient_id TEXT REFERENCES share_recipients(id), type TEXT NOT NULL, at BIGINT NOT NULL)
            """,
            "CREATE INDEX tracking_events_share ON tracking_events(share_id)",
        ]),
        Migration(version: 3, name: "audit_chain", statements: [
            """
            CREATE TABLE audit_events (
                seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, action TEXT NOT NULL, actor_id TEXT NOT NULL,
                organisation_id TEXT NOT NULL, target_id TEXT NOT NULL, details TEXT NOT NULL,
                prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
            """
            CREATE TABLE audit_checkpoints (
                count BIGINT PRIMARY KEY, head_hash TEXT NOT NULL, signature TEXT NOT NULL, at BIGINT NOT NULL)
            """,
        ]),
        Migration(version: 4, name: "share_policy_notes", statements: [
            "ALTER TABLE shares ADD COLUMN policy_notes TEXT",
        ]),
        Migration(version: 5, name: "disclosures_exports_partner_passwords", statements: [
            """
            CREATE TABLE disclosures (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id),
                share_id TEXT REFERENCES shares(id), recorded_by TEXT NOT NULL REFERENCES users(id), at BIGINT NOT NULL,
                method TEXT NOT NULL, reason TEXT NOT NULL, information_type TEXT NOT NULL, authorised_by TEXT,
                recipient_name TEXT NOT NULL, recipient_job_title TEXT NOT NULL, recipient_organisation TEXT NOT NULL,
                recipient_phone TEXT NOT NULL, recipient_email TEXT NOT NULL)
            """,
            "CREATE INDEX disclosures_org ON disclosures(organisation_id, at)",
            """
            CREATE TABLE share_exports (
                id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id), blob_id TEXT NOT NULL UNIQUE,
                created_by TEXT NOT NULL REFERENCES users(id), created_at BIGINT NOT NULL, size BIGINT NOT NULL,
                destroyed_at BIGINT)
            """,
            "CREATE INDEX share_exports_share ON share_exports(share_id)",
            """
            CREATE TABLE partner_passwords (
                id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id), partner TEXT NOT NULL,
                purpose TEXT NOT NULL, password_sealed TEXT NOT NULL, created_by TEXT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL, rotate_by BIGINT NOT NULL, retired_at BIGINT)
            """,
            "CREATE INDEX partner_passwords_org ON partner_passwords(organisation_id)",
        ]),
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

    /// Migrations not yet applied, in the order they would run.
    public func pending() async throws -> [Migration] {
        let applied = try await appliedVersions()
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
                try await backend.withSession { db in
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
            try await backend.withTransaction { db in
                // Several instances may start together: only one applies each migration.
                if isPostgres { try await db.raw("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").run() }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").all()
                guard done.isEmpty else { return }
                for statement in migration.statements { try await db.raw(SQLQueryString(statement)).run() }
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
