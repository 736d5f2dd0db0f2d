import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func insert(_ p: PartnerPassword) async throws {
        try await db.raw("""
            INSERT INTO partner_passwords (id, organisation_id, partner, purpose, password_sealed, created_by, created_at, rotate_by, retired_at)
            VALUES (\(bind: p.id), \(bind: p.organisationID), \(bind: p.partner), \(bind: p.purpose), \(bind: p.passwordSealed),
                \(bind: p.createdBy), \(bind: Millis.from(p.createdAt)), \(bind: Millis.from(p.rotateBy)), \(bind: Millis.from(p.retiredAt)))
            """).run()
    }

    private func partnerPassword(_ r: any SQLRow) throws -> PartnerPassword {
        var p = PartnerPassword(id: try r.string("id"), organisationID: try r.string("organisation_id"), partner: try r.string("partner"),
                                purpose: try r.string("purpose"), passwordSealed: try r.string("password_sealed"),
                                createdBy: try r.string("created_by"), createdAt: try r.date("created_at"), rotateBy: try r.date("rotate_by"))
        p.retiredAt = try r.optionalDate("retired_at")
        return p
    }

    func partnerPasswords(organisationID: String) async throws -> [PartnerPassword] {
        try await db.raw("""
            SELECT * FROM partner_passwords WHERE organisation_id = \(bind: organisationID) ORDER BY partner, created_at DESC, id
            """).all().map(partnerPassword)
    }

    func partnerPassword(id: String) async throws -> PartnerPassword? {
        try await db.raw("SELECT * FROM partner_passwords WHERE id = \(bind: id)").first().map(partnerPassword)
    }

    func partnerPasswordsDue(at now: Date) async throws -> [PartnerPassword] {
        try await db.raw("""
            SELECT * FROM partner_passwords WHERE retired_at IS NULL AND rotate_by <= \(bind: Millis.from(now)) ORDER BY rotate_by, id
            """).all().map(partnerPassword)
    }

    func retirePartnerPassword(id: String, at: Date) async throws {
        try await db.raw("UPDATE partner_passwords SET retired_at = \(bind: Millis.from(at)) WHERE id = \(bind: id) AND retired_at IS NULL").run()
    }
}
