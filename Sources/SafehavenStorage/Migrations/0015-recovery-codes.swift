import Foundation

extension Migrations {
    /// One-time recovery codes for someone who has lost their authenticator app, stored as hashes.
    static let recoveryCodes = Migration(version: 15, name: "recovery_codes", statements: [
        """
        CREATE TABLE recovery_codes (
            user_id TEXT NOT NULL REFERENCES users(id), code_hash TEXT NOT NULL, used_at BIGINT,
            PRIMARY KEY (user_id, code_hash))
        """,
    ])
}
