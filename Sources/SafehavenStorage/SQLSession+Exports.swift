import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func insert(_ e: ShareExport) async throws {
        try await db.raw("""
            INSERT INTO share_exports (id, share_id, blob_id, created_by, created_at, size, destroyed_at)
            VALUES (\(bind: e.id), \(bind: e.shareID), \(bind: e.blobID), \(bind: e.createdBy), \(bind: Millis.from(e.createdAt)),
                \(bind: e.size), \(bind: Millis.from(e.destroyedAt)))
            """).run()
    }

    private func export(_ r: any SQLRow) throws -> ShareExport {
        var e = ShareExport(id: try r.string("id"), shareID: try r.string("share_id"), blobID: try r.string("blob_id"),
                            createdBy: try r.string("created_by"), createdAt: try r.date("created_at"), size: try r.int("size"))
        e.destroyedAt = try r.optionalDate("destroyed_at")
        return e
    }

    func exports(shareID: String) async throws -> [ShareExport] {
        try await db.raw("SELECT * FROM share_exports WHERE share_id = \(bind: shareID) ORDER BY created_at, id").all().map(export)
    }

    func export(id: String) async throws -> ShareExport? {
        try await db.raw("SELECT * FROM share_exports WHERE id = \(bind: id)").first().map(export)
    }

    func markExportsDestroyed(shareID: String, at: Date) async throws {
        try await db.raw("""
            UPDATE share_exports SET destroyed_at = \(bind: Millis.from(at)) WHERE share_id = \(bind: shareID) AND destroyed_at IS NULL
            """).run()
    }
}
