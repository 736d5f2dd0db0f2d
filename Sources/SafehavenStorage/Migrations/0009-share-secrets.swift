import Foundation

extension Migrations {
    /// A share's wrapped data key and sealed message move to a table of their own. Destroying a
    /// share deletes its row there (zeroed in place on SQLite with `secure_delete`), and that one
    /// small table is what is vacuumed on PostgreSQL after destructions.
    static let shareSecrets = Migration(version: 9, name: "share_secrets", statements: [
        """
        CREATE TABLE share_secrets (
            share_id TEXT PRIMARY KEY REFERENCES shares(id), wrapped_key TEXT NOT NULL, message_sealed TEXT NOT NULL)
        """,
        """
        INSERT INTO share_secrets (share_id, wrapped_key, message_sealed)
        SELECT id, wrapped_key, COALESCE(message_sealed, '') FROM shares WHERE wrapped_key IS NOT NULL AND destroyed_at IS NULL
        """,
        "ALTER TABLE shares DROP COLUMN message_sealed",
        "ALTER TABLE shares DROP COLUMN wrapped_key",
    ])
}
