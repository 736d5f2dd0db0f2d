import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func insert(_ r: StoredRecord) async throws {
        try await db.raw("""
            INSERT INTO records (id, kind, organisation_id, team, owner_id, subject_id, lookup, state, due_at, reminded_at, created_at,
                updated_at, version, body_sealed)
            VALUES (\(bind: r.id), \(bind: r.kind.rawValue), \(bind: r.organisationID), \(bind: r.team), \(bind: r.ownerID), \(bind: r.subjectID),
                \(bind: r.lookup), \(bind: r.state), \(bind: Millis.from(r.dueAt)), \(bind: Millis.from(r.remindedAt)), \(bind: Millis.from(r.createdAt)),
                \(bind: Millis.from(r.updatedAt)), \(bind: Int64(r.version)), \(bind: r.bodySealed))
            """).run()
    }

    func update(_ r: StoredRecord) async throws -> Bool {
        try await db.raw("""
            UPDATE records SET team = \(bind: r.team), owner_id = \(bind: r.ownerID), state = \(bind: r.state), due_at = \(bind: Millis.from(r.dueAt)),
                reminded_at = \(bind: Millis.from(r.remindedAt)), updated_at = \(bind: Millis.from(r.updatedAt)), version = \(bind: Int64(r.version)),
                body_sealed = \(bind: r.bodySealed)
            WHERE id = \(bind: r.id) AND version = \(bind: Int64(r.version - 1)) RETURNING id
            """).first() != nil
    }

    func records(_ kind: StoredRecord.Kind, organisationID: String) async throws -> [StoredRecord] {
        try await db.raw("""
            SELECT * FROM records WHERE organisation_id = \(bind: organisationID) AND kind = \(bind: kind.rawValue) ORDER BY created_at DESC, id DESC
            """).all().map(storedRecord)
    }

    func record(id: String) async throws -> StoredRecord? {
        try await db.raw("SELECT * FROM records WHERE id = \(bind: id)").first().map(storedRecord)
    }

    func record(_ kind: StoredRecord.Kind, organisationID: String, lookup: String) async throws -> StoredRecord? {
        try await db.raw("""
            SELECT * FROM records WHERE organisation_id = \(bind: organisationID) AND kind = \(bind: kind.rawValue) AND lookup = \(bind: lookup)
            """).first().map(storedRecord)
    }

    func recordsDue(_ kind: StoredRecord.Kind, state: String, before: Date) async throws -> [StoredRecord] {
        try await db.raw("""
            SELECT * FROM records WHERE kind = \(bind: kind.rawValue) AND state = \(bind: state) AND due_at IS NOT NULL
                AND due_at <= \(bind: Millis.from(before)) ORDER BY due_at, id
            """).all().map(storedRecord)
    }

    func records(_ kind: StoredRecord.Kind, subjectID: String) async throws -> [StoredRecord] {
        try await db.raw("""
            SELECT * FROM records WHERE subject_id = \(bind: subjectID) AND kind = \(bind: kind.rawValue) ORDER BY created_at DESC, id DESC
            """).all().map(storedRecord)
    }

    func insert(_ link: RecordLink) async throws {
        try await db.raw("""
            INSERT INTO record_links (record_id, kind, target_id, at)
            VALUES (\(bind: link.recordID), \(bind: link.kind.rawValue), \(bind: link.targetID), \(bind: Millis.from(link.at)))
            ON CONFLICT (record_id, kind, target_id) DO NOTHING
            """).run()
    }

    func links(recordID: String, kind: RecordLink.Kind) async throws -> [RecordLink] {
        try await db.raw("""
            SELECT * FROM record_links WHERE record_id = \(bind: recordID) AND kind = \(bind: kind.rawValue) ORDER BY at, target_id
            """).all().map(recordLink)
    }

    func links(targetID: String, kind: RecordLink.Kind) async throws -> [RecordLink] {
        try await db.raw("""
            SELECT * FROM record_links WHERE target_id = \(bind: targetID) AND kind = \(bind: kind.rawValue) ORDER BY at, record_id
            """).all().map(recordLink)
    }

    private func recordLink(_ r: any SQLRow) throws -> RecordLink {
        RecordLink(recordID: try r.string("record_id"), kind: RecordLink.Kind(rawValue: try r.string("kind")) ?? .shareSubject,
                   targetID: try r.string("target_id"), at: try r.date("at"))
    }

    private func storedRecord(_ r: any SQLRow) throws -> StoredRecord {
        let kind = StoredRecord.Kind(rawValue: try r.string("kind")) ?? .subject
        return StoredRecord(id: try r.string("id"), kind: kind, organisationID: try r.string("organisation_id"), team: try r.string("team"),
                            ownerID: try r.string("owner_id"), subjectID: try r.optionalString("subject_id"), lookup: try r.optionalString("lookup"),
                            state: try r.string("state"), dueAt: try r.optionalDate("due_at"), remindedAt: try r.optionalDate("reminded_at"),
                            createdAt: try r.date("created_at"), updatedAt: try r.date("updated_at"), version: Int(try r.int("version")),
                            bodySealed: try r.string("body_sealed"))
    }
}
