import Foundation
import SafehavenCrypto

/// What people do to their own account: the second factor, their password, their tokens. Every
/// change to how they sign in asks for the password again.
extension AuthService {
    public struct Enrolment: Sendable, Codable {
        public let secret: String
        public let uri: String
    }

    /// Starts TOTP enrolment, after the password is given again: a new secret is kept sealed until
    /// the user proves they hold it.
    public func beginTOTP(for user: User, password: String) async throws -> Enrolment {
        try await requirePassword(password, of: user)
        guard !user.totpEnabled else {
            throw SafehavenError.conflict("totp_already_enabled", "A second factor is already set up for this account.")
        }
        let secret = TOTP.newSecret(random: deps.random)
        var updated = user
        updated.totpSecretSealed = try deps.kek.sealSecret(secret, context: "totp:\(user.id)", random: deps.random)
        let now = deps.clock.now()
        try await deps.store.write { [updated] tx in
            try await tx.updateSecurity(of: updated)
            try await tx.appendAudit(AuditEntry(.userTOTPEnrolled, actor: user.id, organisation: user.organisationID, target: user.id), at: now)
        }
        let totp = TOTP(secret: secret)
        return Enrolment(secret: Encoding.base32(secret), uri: totp.provisioningURI(account: user.email))
    }

    /// Turns the second factor on once the user gives a valid code for the pending secret.
    /// Returns ten one-time recovery codes, shown once and stored only as hashes.
    @discardableResult
    public func confirmTOTP(for user: User, code: String) async throws -> [String] {
        guard !user.totpEnabled else {
            throw SafehavenError.conflict("totp_already_enabled", "A second factor is already set up for this account.")
        }
        guard let sealed = user.totpSecretSealed else {
            throw SafehavenError.conflict("totp_not_started", "Start enrolment first to get a secret for your app.")
        }
        let now = deps.clock.now()
        let secret = try deps.kek.openSecret(sealed, context: "totp:\(user.id)")
        guard let counter = TOTP(secret: secret).matchingCounter(code, at: now) else {
            throw SafehavenError.invalid("code", "That code does not match; check the time on your device and try the next code.")
        }
        var updated = user
        updated.totpEnabled = true
        updated.totpLastCounter = counter
        let codes = (0..<10).map { _ in PasswordGenerator.generate(random: deps.random, groups: 3, groupLength: 4) }
        let hashes = codes.map(Self.recoveryHash)
        try await deps.store.write { [updated] tx in
            try await tx.updateSecurity(of: updated)
            try await tx.replaceRecoveryCodes(userID: user.id, hashes: hashes)
            try await tx.appendAudit(AuditEntry(.userTOTPEnabled, actor: user.id, organisation: user.organisationID, target: user.id), at: now)
        }
        return codes
    }

    /// Recovery codes carry about 60 random bits, so a plain SHA-256 of the canonical form
    /// (upper case, no separators) is enough to store them.
    static func recoveryHash(_ code: String) -> String {
        Tokens.hash("recovery:" + code.uppercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Turns the second factor off, after the password is given again.
    public func disableTOTP(for user: User, password: String) async throws {
        try await requirePassword(password, of: user)
        guard user.totpEnabled || user.totpSecretSealed != nil else { return }
        var updated = user
        updated.removeSecondFactor()
        let now = deps.clock.now()
        try await deps.store.write { [updated] tx in
            try await tx.updateSecurity(of: updated)
            try await tx.replaceRecoveryCodes(userID: user.id, hashes: [])
            try await tx.appendAudit(AuditEntry(.userTOTPDisabled, actor: user.id, organisation: user.organisationID, target: user.id,
                                                details: ["by": "self"]), at: now)
        }
    }

    /// Changes the password: the current one first, the new one checked like any other. Every
    /// other session and token of the account stops working.
    public func changePassword(for user: User, current: String, new: String, keeping token: AccessToken?) async throws {
        try await requirePassword(current, of: user)
        guard new != current else { throw SafehavenError.invalid("new_password", "Choose a password different from the current one.") }
        try PasswordPolicy.check(new, email: user.email, name: user.name)
        var updated = user
        let passwords = deps.passwords
        updated.passwordHash = try await deps.hashing.run { try passwords.hash(new) }
        updated.mustChangePassword = false
        let now = deps.clock.now()
        try await deps.store.write { [updated] tx in
            try await tx.updateSecurity(of: updated)
            let ended = try await tx.revokeTokens(userID: user.id, except: token?.id, at: now)
            try await tx.appendAudit(AuditEntry(.userPasswordChanged, actor: user.id, organisation: user.organisationID, target: user.id,
                                                details: ["other_tokens_ended": String(ended)]), at: now)
        }
    }

    /// The account's sessions and API tokens still in force (never the tokens themselves).
    public func tokens(of user: User) async throws -> [AccessToken] {
        let now = deps.clock.now()
        return try await deps.store.read { try await $0.liveTokens(userID: user.id, at: now) }
    }

    /// Ends one of the account's own sessions or tokens; anyone else's answers not found.
    public func revokeToken(id: String, of user: User) async throws {
        let now = deps.clock.now()
        guard let record = try await deps.store.read({ try await $0.liveTokens(userID: user.id, at: now) }).first(where: { $0.id == id }) else {
            throw SafehavenError.notFound
        }
        try await revoke(record, by: user)
    }

    /// A password check for a sensitive change; a wrong one is audited.
    func requirePassword(_ password: String, of user: User) async throws {
        let passwords = deps.passwords
        guard await deps.hashing.run({ passwords.verify(password, against: user.passwordHash) }) else {
            throw SafehavenError(.forbidden, code: "password_required", message: "Enter your current password to make this change.")
        }
    }
}

extension User {
    /// No second factor: neither an enabled one nor one half set up.
    mutating func removeSecondFactor() {
        totpEnabled = false
        totpSecretSealed = nil
        totpLastCounter = nil
    }
}
