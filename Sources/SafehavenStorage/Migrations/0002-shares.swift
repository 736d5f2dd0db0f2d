import Foundation

extension Migrations {
    static let shares = Migration(version: 2, name: "shares", statements: [
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
    ])
}
