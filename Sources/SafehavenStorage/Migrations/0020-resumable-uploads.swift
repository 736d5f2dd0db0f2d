import Foundation

extension Migrations {
    /// Drafts (a future share's id and wrapped data key) and the files uploaded into them with the
    /// tus protocol: how much of each has been sealed to disk, and what reading it back found.
    static let resumableUploads = Migration(version: 20, name: "resumable_uploads", statements: [
        """
        CREATE TABLE upload_drafts (
            id TEXT PRIMARY KEY, owner_id TEXT NOT NULL REFERENCES users(id), wrapped_key TEXT NOT NULL,
            reserved_bytes BIGINT NOT NULL, file_count BIGINT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
        """,
        "CREATE INDEX upload_drafts_expiry ON upload_drafts(expires_at)",
        """
        CREATE TABLE uploads (
            id TEXT PRIMARY KEY, draft_id TEXT NOT NULL REFERENCES upload_drafts(id), owner_id TEXT NOT NULL REFERENCES users(id),
            file_id TEXT NOT NULL UNIQUE, blob_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, content_type TEXT NOT NULL,
            declared_length BIGINT NOT NULL, received BIGINT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
            completed_at BIGINT, sha256 TEXT, identifiers BIGINT NOT NULL, not_scanned BIGINT NOT NULL)
        """,
        "CREATE INDEX uploads_draft ON uploads(draft_id)",
    ])
}
