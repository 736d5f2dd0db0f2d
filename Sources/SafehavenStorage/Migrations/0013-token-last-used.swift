import Foundation

extension Migrations {
    /// When a web session was last used, for its idle timeout.
    static let tokenLastUsed = Migration(version: 13, name: "token_last_used", statements: [
        "ALTER TABLE access_tokens ADD COLUMN last_used_at BIGINT",
    ])
}
