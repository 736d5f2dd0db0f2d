import Foundation

extension Migrations {
    /// A one-time password (the first administrator's) must be changed at the first sign-in.
    static let mustChangePassword = Migration(version: 14, name: "must_change_password", statements: [
        "ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0",
    ])
}
