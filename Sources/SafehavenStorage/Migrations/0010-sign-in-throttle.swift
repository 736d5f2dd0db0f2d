import Foundation

extension Migrations {
    /// Sign-in attempts counted per (address typed, source), per address typed and per source,
    /// keyed by a hash so neither the address nor the source is stored. An address with no account
    /// is counted exactly like one with an account.
    static let signInThrottle = Migration(version: 10, name: "sign_in_throttle", statements: [
        """
        CREATE TABLE sign_in_throttle (
            key TEXT PRIMARY KEY, failures BIGINT NOT NULL, last_failed_at BIGINT, locked_until BIGINT)
        """,
    ])
}
