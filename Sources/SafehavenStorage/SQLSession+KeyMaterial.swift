import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    /// Table, id column and value column for each kind of sealed value.
    static func location(_ kind: SealedValue.Kind) -> (table: SQLQueryString, id: SQLQueryString, value: SQLQueryString) {
        switch kind {
        case .shareKey: return ("share_secrets", "share_id", "wrapped_key")
        case .totpSecret: return ("users", "id", "totp_secret")
        case .partnerPassword: return ("partner_passwords", "id", "password_sealed")
        case .record: return ("records", "id", "body_sealed")
        case .draftKey: return ("upload_drafts", "id", "wrapped_key")
        }
    }

    func sealedValues(_ kind: SealedValue.Kind, after id: String, limit: Int) async throws -> [SealedValue] {
        let (table, idColumn, valueColumn) = Self.location(kind)
        return try await db.raw("""
            SELECT \(idColumn) AS id, \(valueColumn) AS value FROM \(table)
            WHERE \(valueColumn) IS NOT NULL AND \(idColumn) > \(bind: id) ORDER BY \(idColumn) LIMIT \(bind: Int64(limit))
            """).all().map { SealedValue(kind: kind, id: try $0.string("id"), value: try $0.string("value")) }
    }

    func replaceSealedValue(_ value: SealedValue, expected: String) async throws -> Bool {
        let (table, idColumn, valueColumn) = Self.location(value.kind)
        return try await db.raw("""
            UPDATE \(table) SET \(valueColumn) = \(bind: value.value)
            WHERE \(idColumn) = \(bind: value.id) AND \(valueColumn) = \(bind: expected) RETURNING \(idColumn)
            """).first() != nil
    }
}
