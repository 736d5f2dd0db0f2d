import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func insert(_ d: Disclosure) async throws {
        try await db.raw("""
            INSERT INTO disclosures (id, organisation_id, share_id, recorded_by, at, method, reason, information_type, authorised_by,
                recipient_name, recipient_job_title, recipient_organisation, recipient_phone, recipient_email)
            VALUES (\(bind: d.id), \(bind: d.organisationID), \(bind: d.shareID), \(bind: d.recordedBy), \(bind: Millis.from(d.at)),
                \(bind: d.method.rawValue), \(bind: d.reason), \(bind: d.informationType), \(bind: d.authorisedBy), \(bind: d.recipientName),
                \(bind: d.recipientJobTitle), \(bind: d.recipientOrganisation), \(bind: d.recipientPhone), \(bind: d.recipientEmail))
            """).run()
    }

    func disclosures(organisationID: String) async throws -> [Disclosure] {
        try await db.raw("SELECT * FROM disclosures WHERE organisation_id = \(bind: organisationID) ORDER BY at DESC, id DESC").all().map { r in
            Disclosure(id: try r.string("id"), organisationID: try r.string("organisation_id"), shareID: try r.optionalString("share_id"),
                       recordedBy: try r.string("recorded_by"), at: try r.date("at"),
                       method: Disclosure.Method(rawValue: try r.string("method")) ?? .safehaven, reason: try r.string("reason"),
                       informationType: try r.string("information_type"), authorisedBy: try r.optionalString("authorised_by"),
                       recipientName: try r.string("recipient_name"), recipientJobTitle: try r.string("recipient_job_title"),
                       recipientOrganisation: try r.string("recipient_organisation"), recipientPhone: try r.string("recipient_phone"),
                       recipientEmail: try r.string("recipient_email"))
        }
    }

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
