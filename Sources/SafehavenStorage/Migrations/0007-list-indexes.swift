import Foundation

extension Migrations {
    /// Lists read a page straight off an index in order and stop: each addressee row carries its
    /// share's creation time, so an inbox page never sorts the whole inbox.
    static let listIndexes = Migration(version: 7, name: "list_indexes", statements: [
        "ALTER TABLE share_recipients ADD COLUMN share_created_at BIGINT",
        """
        UPDATE share_recipients SET share_created_at = (SELECT created_at FROM shares WHERE shares.id = share_recipients.share_id)
        """,
        "CREATE INDEX share_recipients_inbox ON share_recipients(user_id, deleted_at, share_created_at, share_id)",
        "CREATE INDEX shares_sent ON shares(sender_id, created_at, id)",
    ])
}
