import Foundation

extension Migrations {
    static let directory = Migration(version: 1, name: "directory", statements: [
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
    ])
}
