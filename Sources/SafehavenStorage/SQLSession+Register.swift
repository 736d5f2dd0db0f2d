import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func insert(_ d: Disclosure) async throws {
        try await db.raw("""
            INSERT INTO disclosures (id, organisation_id, share_id, recorded_by, at, method, reason, information_type, authorised_by,
                recipient_name, recipient_job_title, recipient_organisation, recipient_phone, recipient_email, kind, corrects, confirmations, team,
                lawful_basis, justification, consent_id, subjects)
            VALUES (\(bind: d.id), \(bind: d.organisationID), \(bind: d.shareID), \(bind: d.recordedBy), \(bind: Millis.from(d.at)),
                \(bind: d.method.rawValue), \(bind: d.reason), \(bind: d.informationType), \(bind: d.authorisedBy), \(bind: d.recipientName),
                \(bind: d.recipientJobTitle), \(bind: d.recipientOrganisation), \(bind: d.recipientPhone), \(bind: d.recipientEmail),
                \(bind: d.kind.rawValue), \(bind: d.corrects), \(bind: d.confirmations.joined(separator: "\n")), \(bind: d.team),
                \(bind: d.lawfulBasis), \(bind: d.justification), \(bind: d.consentID), \(bind: d.subjects.joined(separator: "\n")))
            """).run()
    }

    func disclosures(organisationID: String) async throws -> [Disclosure] {
        try await db.raw("SELECT * FROM disclosures WHERE organisation_id = \(bind: organisationID) ORDER BY at DESC, id DESC").all().map(disclosure)
    }

    func disclosures(shareID: String) async throws -> [Disclosure] {
        try await db.raw("SELECT * FROM disclosures WHERE share_id = \(bind: shareID) ORDER BY at, id").all().map(disclosure)
    }

    func disclosure(id: String) async throws -> Disclosure? {
        try await db.raw("SELECT * FROM disclosures WHERE id = \(bind: id)").first().map(disclosure)
    }

    private func disclosure(_ r: any SQLRow) throws -> Disclosure {
        var d = Disclosure(id: try r.string("id"), organisationID: try r.string("organisation_id"), shareID: try r.optionalString("share_id"),
                       recordedBy: try r.string("recorded_by"), at: try r.date("at"),
                       method: Disclosure.Method(rawValue: try r.string("method")) ?? .safehaven, reason: try r.string("reason"),
                       informationType: try r.string("information_type"), authorisedBy: try r.optionalString("authorised_by"),
                       recipientName: try r.string("recipient_name"), recipientJobTitle: try r.string("recipient_job_title"),
                       recipientOrganisation: try r.string("recipient_organisation"), recipientPhone: try r.string("recipient_phone"),
                       recipientEmail: try r.string("recipient_email"))
        d.kind = Disclosure.Kind(rawValue: try r.string("kind")) ?? .disclosure
        d.corrects = try r.optionalString("corrects")
        let confirmed = try r.string("confirmations")
        d.confirmations = confirmed.isEmpty ? [] : confirmed.components(separatedBy: "\n")
        d.team = try r.string("team")
        d.lawfulBasis = try r.string("lawful_basis")
        d.justification = try r.string("justification")
        d.consentID = try r.optionalString("consent_id")
        let subjects = try r.string("subjects")
        d.subjects = subjects.isEmpty ? [] : subjects.components(separatedBy: "\n")
        return d
    }
}
