import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func accreditedDomains() async throws -> [AccreditedDomain] {
        try await db.raw("SELECT * FROM accredited_domains ORDER BY domain").all().map { row in
            AccreditedDomain(domain: try row.string("domain"), organisation: try row.string("organisation"),
                             addedAt: try row.date("added_at"), source: try row.string("source"))
        }
    }

    func upsert(_ a: AccreditedDomain) async throws {
        try await db.raw("""
            INSERT INTO accredited_domains (domain, organisation, added_at, source)
            VALUES (\(bind: a.domain), \(bind: a.organisation), \(bind: Millis.from(a.addedAt)), \(bind: a.source))
            ON CONFLICT (domain) DO UPDATE SET organisation = excluded.organisation, source = excluded.source
            """).run()
    }

    func removeAccredited(domain: String) async throws -> Bool {
        try await db.raw("DELETE FROM accredited_domains WHERE domain = \(bind: domain) RETURNING domain").first() != nil
    }
}
