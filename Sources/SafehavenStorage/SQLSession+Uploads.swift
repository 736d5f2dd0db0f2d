import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    private func draft(_ r: any SQLRow) throws -> UploadDraft {
        UploadDraft(id: try r.string("id"), ownerID: try r.string("owner_id"), wrappedKey: try r.string("wrapped_key"),
                    reservedBytes: try r.int("reserved_bytes"), fileCount: Int(try r.int("file_count")),
                    createdAt: try r.date("created_at"), expiresAt: try r.date("expires_at"))
    }

    private func upload(_ r: any SQLRow) throws -> ResumableUpload {
        ResumableUpload(id: try r.string("id"), draftID: try r.string("draft_id"), ownerID: try r.string("owner_id"),
                        fileID: try r.string("file_id"), blobID: try r.string("blob_id"), name: try r.string("name"),
                        contentType: try r.string("content_type"), length: try r.int("declared_length"), offset: try r.int("received"),
                        createdAt: try r.date("created_at"), expiresAt: try r.date("expires_at"), completedAt: try r.optionalDate("completed_at"),
                        sha256: try r.optionalString("sha256"), identifiers: Int(try r.int("identifiers")), notScanned: try r.bool("not_scanned"))
    }

    func draft(id: String) async throws -> UploadDraft? {
        try await db.raw("SELECT * FROM upload_drafts WHERE id = \(bind: id)").first().map(draft)
    }

    func uploads(draftID: String) async throws -> [ResumableUpload] {
        try await db.raw("SELECT * FROM uploads WHERE draft_id = \(bind: draftID) ORDER BY created_at, id").all().map(upload)
    }

    func upload(id: String) async throws -> ResumableUpload? {
        try await db.raw("SELECT * FROM uploads WHERE id = \(bind: id)").first().map(upload)
    }

    func draftsExpired(at: Date) async throws -> [UploadDraft] {
        try await db.raw("SELECT * FROM upload_drafts WHERE expires_at <= \(bind: Millis.from(at)) ORDER BY expires_at, id LIMIT 500")
            .all().map(draft)
    }

    func uploadBlobIDs() async throws -> Set<String> {
        Set(try await db.raw("SELECT blob_id FROM uploads").all().map { try $0.string("blob_id") })
    }

    func insert(_ d: UploadDraft, maxOpen: Int) async throws -> Bool {
        // One person's drafts are counted one request at a time (SQLite writes one at a time anyway).
        if isPostgres { try await db.raw("SELECT id FROM users WHERE id = \(bind: d.ownerID) FOR UPDATE").run() }
        let open = try await db.raw("SELECT COUNT(*) AS n FROM upload_drafts WHERE owner_id = \(bind: d.ownerID)").first()?.int("n") ?? 0
        guard open < maxOpen else { return false }
        try await db.raw("""
            INSERT INTO upload_drafts (id, owner_id, wrapped_key, reserved_bytes, file_count, created_at, expires_at)
            VALUES (\(bind: d.id), \(bind: d.ownerID), \(bind: d.wrappedKey), \(bind: d.reservedBytes), \(bind: Int64(d.fileCount)),
                \(bind: Millis.from(d.createdAt)), \(bind: Millis.from(d.expiresAt)))
            """).run()
        return true
    }

    func reserve(draftID: String, bytes: Int64, maxBytes: Int64, maxFiles: Int, expiresAt: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE upload_drafts SET reserved_bytes = reserved_bytes + \(bind: bytes), file_count = file_count + 1,
                expires_at = \(bind: Millis.from(expiresAt))
            WHERE id = \(bind: draftID) AND reserved_bytes + \(bind: bytes) <= \(bind: maxBytes) AND file_count < \(bind: Int64(maxFiles))
            RETURNING id
            """).first() != nil
    }

    func insert(_ u: ResumableUpload) async throws {
        try await db.raw("""
            INSERT INTO uploads (id, draft_id, owner_id, file_id, blob_id, name, content_type, declared_length, received, created_at,
                expires_at, completed_at, sha256, identifiers, not_scanned)
            VALUES (\(bind: u.id), \(bind: u.draftID), \(bind: u.ownerID), \(bind: u.fileID), \(bind: u.blobID), \(bind: u.name),
                \(bind: u.contentType), \(bind: u.length), \(bind: u.offset), \(bind: Millis.from(u.createdAt)), \(bind: Millis.from(u.expiresAt)),
                \(bind: Millis.from(u.completedAt)), \(bind: u.sha256), \(bind: Int64(u.identifiers)), \(bind: u.notScanned ? 1 : 0))
            """).run()
    }

    func advance(uploadID: String, from: Int64, to: Int64, expiresAt: Date) async throws -> Bool {
        guard let row = try await db.raw("""
            UPDATE uploads SET received = \(bind: to), expires_at = \(bind: Millis.from(expiresAt))
            WHERE id = \(bind: uploadID) AND received = \(bind: from) AND completed_at IS NULL RETURNING draft_id
            """).first() else { return false }
        try await db.raw("""
            UPDATE upload_drafts SET expires_at = \(bind: Millis.from(expiresAt)) WHERE id = \(bind: try row.string("draft_id"))
            """).run()
        return true
    }

    func complete(_ u: ResumableUpload) async throws -> Bool {
        try await db.raw("""
            UPDATE uploads SET received = \(bind: u.offset), completed_at = \(bind: Millis.from(u.completedAt)), sha256 = \(bind: u.sha256),
                identifiers = \(bind: Int64(u.identifiers)), not_scanned = \(bind: u.notScanned ? 1 : 0)
            WHERE id = \(bind: u.id) AND completed_at IS NULL RETURNING id
            """).first() != nil
    }

    func deleteUpload(id: String) async throws -> ResumableUpload? {
        guard let removed = try await db.raw("DELETE FROM uploads WHERE id = \(bind: id) RETURNING *").first().map(upload) else { return nil }
        try await db.raw("""
            UPDATE upload_drafts SET reserved_bytes = reserved_bytes - \(bind: removed.length), file_count = file_count - 1
            WHERE id = \(bind: removed.draftID)
            """).run()
        return removed
    }

    func deleteDraft(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM uploads WHERE draft_id = \(bind: id)").run()
        return try await db.raw("DELETE FROM upload_drafts WHERE id = \(bind: id) RETURNING id").first() != nil
    }
}
