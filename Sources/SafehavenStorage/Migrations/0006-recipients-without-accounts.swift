import Foundation

extension Migrations {
    /// An addressee is an email address with an optional account, so a share can be addressed to
    /// someone who has none yet; each address appears once per share. Also indexes tracking by
    /// addressee, which the unread filter reads.
    static let recipientsWithoutAccounts = Migration(
        version: 6, name: "recipients_without_accounts",
        sqlite: [
            // SQLite cannot relax NOT NULL in place: rebuild the table (foreign keys are off while
            // migrations run and checked before commit).
            """
            CREATE TABLE share_recipients_new (
                id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id), user_id TEXT REFERENCES users(id),
                email TEXT NOT NULL, receipt_at BIGINT, deleted_at BIGINT, UNIQUE (share_id, email))
            """,
            """
            INSERT INTO share_recipients_new (id, share_id, user_id, email, receipt_at, deleted_at)
            SELECT id, share_id, user_id, email, receipt_at, deleted_at FROM share_recipients
            """,
            "DROP TABLE share_recipients",
            "ALTER TABLE share_recipients_new RENAME TO share_recipients",
            "CREATE INDEX share_recipients_user ON share_recipients(user_id)",
            "CREATE INDEX tracking_events_recipient ON tracking_events(recipient_id, type)",
        ],
        postgres: [
            "ALTER TABLE share_recipients ALTER COLUMN user_id DROP NOT NULL",
            "ALTER TABLE share_recipients DROP CONSTRAINT share_recipients_share_id_user_id_key",
            "ALTER TABLE share_recipients ADD CONSTRAINT share_recipients_share_id_email_key UNIQUE (share_id, email)",
            "CREATE INDEX tracking_events_recipient ON tracking_events(recipient_id, type)",
        ])
}
