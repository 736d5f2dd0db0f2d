import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func identifierPatterns(organisationID: String) async throws -> [IdentifierPattern] {
        try await db.raw("SELECT name, pattern FROM identifier_patterns WHERE organisation_id = \(bind: organisationID) ORDER BY name")
            .all().map { IdentifierPattern(name: try $0.string("name"), pattern: try $0.string("pattern")) }
    }

    func setIdentifierPattern(_ p: IdentifierPattern, organisationID: String) async throws {
        try await db.raw("""
            INSERT INTO identifier_patterns (organisation_id, name, pattern) VALUES (\(bind: organisationID), \(bind: p.name), \(bind: p.pattern))
            ON CONFLICT (organisation_id, name) DO UPDATE SET pattern = excluded.pattern
            """).run()
    }

    func removeIdentifierPattern(name: String, organisationID: String) async throws -> Bool {
        try await db.raw("""
            DELETE FROM identifier_patterns WHERE organisation_id = \(bind: organisationID) AND name = \(bind: name) RETURNING name
            """).first() != nil
    }
}
