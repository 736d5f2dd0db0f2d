import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func invitation(tokenHash: String) async throws -> Invitation? {
        try await db.raw("SELECT * FROM invitations WHERE token_hash = \(bind: tokenHash)").first().map(invitation)
    }

    func invitations(shareID: String) async throws -> [Invitation] {
        try await db.raw("SELECT * FROM invitations WHERE share_id = \(bind: shareID) ORDER BY created_at, id").all().map(invitation)
    }

    func externalPolicy(organisationID: String) async throws -> ExternalPolicy? {
        guard let row = try await db.raw("SELECT * FROM external_policies WHERE organisation_id = \(bind: organisationID)").first(),
              let rule = ExternalPolicy.Rule(rawValue: try row.string("policy")) else { return nil }
        return ExternalPolicy(rule: rule, domains: try row.string("domains").split(separator: ",").map(String.init))
    }

    func insert(_ i: Invitation) async throws {
        try await db.raw("""
            INSERT INTO invitations (id, email, user_id, sender_id, share_id, token_hash, created_at, expires_at)
            VALUES (\(bind: i.id), \(bind: i.email), \(bind: i.userID), \(bind: i.senderID), \(bind: i.shareID), \(bind: i.tokenHash),
                    \(bind: Millis.from(i.createdAt)), \(bind: Millis.from(i.expiresAt)))
            """).run()
    }

    func useInvitation(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE invitations SET used_at = \(bind: Millis.from(at))
            WHERE id = \(bind: id) AND used_at IS NULL AND withdrawn_at IS NULL AND expires_at > \(bind: Millis.from(at)) RETURNING id
            """).first() != nil
    }

    func withdrawInvitation(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE invitations SET withdrawn_at = \(bind: Millis.from(at)) WHERE id = \(bind: id) AND used_at IS NULL AND withdrawn_at IS NULL RETURNING id
            """).first() != nil
    }

    func setExternalPolicy(_ policy: ExternalPolicy, organisationID: String) async throws {
        try await db.raw("""
            INSERT INTO external_policies (organisation_id, policy, domains) VALUES (\(bind: organisationID), \(bind: policy.rule.rawValue),
                \(bind: policy.domains.joined(separator: ",")))
            ON CONFLICT (organisation_id) DO UPDATE SET policy = excluded.policy, domains = excluded.domains
            """).run()
    }

    func completeExternal(_ u: User) async throws {
        try await db.raw("""
            UPDATE users SET name = \(bind: u.name), job_title = \(bind: u.jobTitle), department = \(bind: u.department), phone = \(bind: u.phone),
                password_hash = \(bind: u.passwordHash) WHERE id = \(bind: u.id)
            """).run()
    }

    private func invitation(_ row: any SQLRow) throws -> Invitation {
        var i = Invitation(id: try row.string("id"), email: try row.string("email"), userID: try row.string("user_id"),
                           senderID: try row.string("sender_id"), shareID: try row.string("share_id"), tokenHash: try row.string("token_hash"),
                           createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        i.usedAt = try row.optionalDate("used_at")
        i.withdrawnAt = try row.optionalDate("withdrawn_at")
        return i
    }
}
