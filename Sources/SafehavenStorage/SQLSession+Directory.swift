import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func organisation(id: String) async throws -> Organisation? {
        try await organisations(where: "o.id = \(bind: id)").first
    }

    func organisation(domain: String) async throws -> Organisation? {
        try await organisations(where: "o.id = (SELECT organisation_id FROM organisation_domains WHERE domain = \(bind: domain))").first
    }

    func organisations() async throws -> [Organisation] {
        try await organisations(where: "1 = 1")
    }

    func organisations(ids: [String]) async throws -> [Organisation] {
        guard !ids.isEmpty else { return [] }
        return try await organisations(where: "o.id IN (\(binds: ids))")
    }

    /// Organisations with their domains in one query: one row per domain, folded in order.
    private func organisations(where condition: SQLQueryString) async throws -> [Organisation] {
        let rows = try await db.raw("""
            SELECT o.id, o.name, o.switchboard, o.address, o.created_at, d.domain FROM organisations o
            LEFT JOIN organisation_domains d ON d.organisation_id = o.id
            WHERE \(condition) ORDER BY o.name, o.id, d.domain
            """).all()
        var out: [Organisation] = []
        for row in rows {
            let id = try row.string("id")
            if out.last?.id != id {
                out.append(Organisation(id: id, name: try row.string("name"), domains: [], switchboard: try row.string("switchboard"),
                                        address: try row.string("address"), createdAt: try row.date("created_at")))
            }
            if let domain = try row.optionalString("domain") { out[out.count - 1].domains.append(domain) }
        }
        return out
    }

    func insert(_ o: Organisation) async throws {
        try await db.raw("""
            INSERT INTO organisations (id, name, switchboard, address, created_at)
            VALUES (\(bind: o.id), \(bind: o.name), \(bind: o.switchboard), \(bind: o.address), \(bind: Millis.from(o.createdAt)))
            """).run()
        for domain in o.domains {
            try await db.raw("INSERT INTO organisation_domains (domain, organisation_id) VALUES (\(bind: domain), \(bind: o.id))").run()
        }
    }

    func user(id: String) async throws -> User? {
        try await db.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(user)
    }

    func user(email: String) async throws -> User? {
        try await db.raw("SELECT * FROM users WHERE email = \(bind: email)").first().map(user)
    }

    func users(emails: [String]) async throws -> [User] {
        guard !emails.isEmpty else { return [] }
        return try await db.raw("SELECT * FROM users WHERE email IN (\(binds: emails)) ORDER BY email").all().map(user)
    }

    func users(organisationID: String) async throws -> [User] {
        try await db.raw("SELECT * FROM users WHERE organisation_id = \(bind: organisationID) ORDER BY name, email").all().map(user)
    }

    func userCount() async throws -> Int64 {
        try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
    }

    private func user(_ row: any SQLRow) throws -> User {
        var u = User(
            id: try row.string("id"), organisationID: try row.string("organisation_id"), email: try row.string("email"),
            name: try row.string("name"), jobTitle: try row.string("job_title"), department: try row.string("department"),
            phone: try row.string("phone"),
            roles: try row.string("roles").split(separator: ",").compactMap { Role(rawValue: String($0)) },
            passwordHash: try row.string("password_hash"), createdAt: try row.date("created_at"))
        u.totpSecretSealed = try row.optionalString("totp_secret")
        u.totpEnabled = try row.bool("totp_enabled")
        u.totpLastCounter = try row.optionalInt("totp_last_counter")
        u.failedLogins = Int(try row.int("failed_logins"))
        u.lastFailedLoginAt = try row.optionalDate("last_failed_at")
        u.lockedUntil = try row.optionalDate("locked_until")
        u.disabled = try row.bool("disabled")
        u.mustChangePassword = try row.bool("must_change_password")
        return u
    }

    func insert(_ u: User) async throws {
        try await db.raw("""
            INSERT INTO users (id, organisation_id, email, name, job_title, department, phone, roles, password_hash,
                totp_secret, totp_enabled, totp_last_counter, failed_logins, last_failed_at, locked_until, disabled, created_at,
                must_change_password)
            VALUES (\(bind: u.id), \(bind: u.organisationID), \(bind: u.email), \(bind: u.name), \(bind: u.jobTitle),
                \(bind: u.department), \(bind: u.phone), \(bind: u.roles.map(\.rawValue).joined(separator: ",")),
                \(bind: u.passwordHash), \(bind: u.totpSecretSealed), \(bind: u.totpEnabled.flag), \(bind: u.totpLastCounter),
                \(bind: Int64(u.failedLogins)), \(bind: Millis.from(u.lastFailedLoginAt)), \(bind: Millis.from(u.lockedUntil)),
                \(bind: u.disabled.flag), \(bind: Millis.from(u.createdAt)), \(bind: u.mustChangePassword.flag))
            """).run()
    }

    func updateSecurity(of u: User) async throws {
        try await db.raw("""
            UPDATE users SET password_hash = \(bind: u.passwordHash), totp_secret = \(bind: u.totpSecretSealed),
                totp_enabled = \(bind: u.totpEnabled.flag), totp_last_counter = \(bind: u.totpLastCounter),
                failed_logins = \(bind: Int64(u.failedLogins)), last_failed_at = \(bind: Millis.from(u.lastFailedLoginAt)),
                locked_until = \(bind: Millis.from(u.lockedUntil)), disabled = \(bind: u.disabled.flag),
                must_change_password = \(bind: u.mustChangePassword.flag)
            WHERE id = \(bind: u.id)
            """).run()
    }

    func token(hash: String) async throws -> AccessToken? {
        try await db.raw("""
            SELECT id AS token_id, user_id, kind, token_hash, created_at AS token_created_at, expires_at, revoked_at, last_used_at
            FROM access_tokens WHERE token_hash = \(bind: hash)
            """).first().map(token)
    }

    func tokenWithUser(hash: String) async throws -> (AccessToken, User)? {
        guard let row = try await db.raw("""
            SELECT u.*, t.id AS token_id, t.user_id, t.kind, t.token_hash, t.created_at AS token_created_at, t.expires_at, t.revoked_at,
                t.last_used_at
            FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = \(bind: hash)
            """).first() else { return nil }
        return (try token(row), try user(row))
    }

    private func token(_ row: any SQLRow) throws -> AccessToken {
        AccessToken(id: try row.string("token_id"), userID: try row.string("user_id"),
                    kind: AccessToken.Kind(rawValue: try row.string("kind")) ?? .session,
                    tokenHash: try row.string("token_hash"), createdAt: try row.date("token_created_at"),
                    expiresAt: try row.date("expires_at"), revokedAt: try row.optionalDate("revoked_at"),
                    lastUsedAt: try row.optionalDate("last_used_at"))
    }

    func touchToken(id: String, at: Date) async throws {
        try await db.raw("UPDATE access_tokens SET last_used_at = \(bind: Millis.from(at)) WHERE id = \(bind: id)").run()
    }

    func insert(_ t: AccessToken) async throws {
        try await db.raw("""
            INSERT INTO access_tokens (id, user_id, kind, token_hash, created_at, expires_at, revoked_at, last_used_at)
            VALUES (\(bind: t.id), \(bind: t.userID), \(bind: t.kind.rawValue), \(bind: t.tokenHash),
                \(bind: Millis.from(t.createdAt)), \(bind: Millis.from(t.expiresAt)), \(bind: Millis.from(t.revokedAt)),
                \(bind: Millis.from(t.lastUsedAt)))
            """).run()
    }

    func recordLoginSuccess(userID: String, totpCounter: Int64?) async throws -> Bool {
        if let counter = totpCounter {
            return try await db.raw("""
                UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL, totp_last_counter = \(bind: counter)
                WHERE id = \(bind: userID) AND (totp_last_counter IS NULL OR totp_last_counter < \(bind: counter)) RETURNING id
                """).first() != nil
        }
        return try await db.raw("""
            UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = \(bind: userID) RETURNING id
            """).first() != nil
    }

    func revokeToken(id: String, at: Date) async throws {
        try await db.raw("UPDATE access_tokens SET revoked_at = \(bind: Millis.from(at)) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
    }

    @discardableResult
    func revokeTokens(userID: String, except keeping: String?, at: Date) async throws -> Int {
        try await db.raw("""
            UPDATE access_tokens SET revoked_at = \(bind: Millis.from(at))
            WHERE user_id = \(bind: userID) AND revoked_at IS NULL AND id <> \(bind: keeping ?? "") RETURNING id
            """).all().count
    }

    func liveTokens(userID: String, at: Date) async throws -> [AccessToken] {
        try await db.raw("""
            SELECT id, user_id, kind, token_hash, created_at, expires_at, revoked_at FROM access_tokens
            WHERE user_id = \(bind: userID) AND revoked_at IS NULL AND expires_at > \(bind: Millis.from(at))
            ORDER BY created_at DESC, id
            """).all().map { row in
            AccessToken(id: try row.string("id"), userID: try row.string("user_id"),
                        kind: AccessToken.Kind(rawValue: try row.string("kind")) ?? .api, tokenHash: try row.string("token_hash"),
                        createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), revokedAt: try row.optionalDate("revoked_at"))
        }
    }

    func updateProfile(of u: User) async throws {
        try await db.raw("""
            UPDATE users SET name = \(bind: u.name), job_title = \(bind: u.jobTitle), department = \(bind: u.department),
            phone = \(bind: u.phone), roles = \(bind: u.roles.map(\.rawValue).joined(separator: ",")) WHERE id = \(bind: u.id)
            """).run()
    }

    func setDisabled(userID: String, _ disabled: Bool) async throws {
        try await db.raw("UPDATE users SET disabled = \(bind: disabled.flag) WHERE id = \(bind: userID)").run()
    }
}
