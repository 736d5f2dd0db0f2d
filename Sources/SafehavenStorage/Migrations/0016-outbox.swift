import Foundation

extension Migrations {
    /// Notifications written with the change that causes them, delivered by the outbox worker.
    static let outbox = Migration(version: 16, name: "outbox", statements: [
        """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, recipient TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,
            dedupe_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_attempt_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT, last_error TEXT,
            created_at BIGINT NOT NULL, accepted_at BIGINT, share_id TEXT)
        """,
        "CREATE INDEX outbox_due ON outbox(state, next_attempt_at)",
        "CREATE INDEX outbox_share ON outbox(share_id)",
    ])
}
