import Foundation
import SafehavenCrypto

/// Sign-in, bearer tokens and the TOTP second factor.
public struct AuthService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public struct Issued: Sendable {
        public let token: String
        public let record: AccessToken
    }

    static let invalidCredentials = SafehavenError(.unauthorised, code: "invalid_credentials",
                                                   message: "The email address, password or code is not right.")

    /// Signs a user in. Failed attempts are counted per account: after a few, each further attempt
    /// must wait twice as long as the last; after more, the account is locked for a while. The same
    /// error is given for an unknown address as for a wrong password.
    public func login(email rawEmail: String, password: String, totp: String?) async throws -> Issued {
        let now = deps.clock.now()
        let limits = deps.limits
        guard let email = try? EmailAddress.normalise(rawEmail),
              let user = try await deps.store.read({ try await $0.user(email: email) }), !user.disabled
        else {
            deps.passwords.dummyVerify(password)
            _ = try await deps.store.write { tx in
                try await tx.appendAudit(AuditEntry(.loginFailed, actor: nil, organisation: nil, target: nil,
                                                    details: ["reason": "unknown_account"]), at: now)
            }
            throw Self.invalidCredentials
        }
        // Whether an attempt may go ahead is decided on the account's counters, and the attempt is
        // counted only if they are still what the decision saw (compare and set, in the database,
        // before the expensive hash). An attempt that lost a race decides again on fresh counters,
        // so attempts sent in parallel can never get past the limits together.
        var current = user
        var attempts = 0
        for round in 0... {
            try Self.checkLimits(current, limits: limits, now: now)
            let (userID, failures) = (current.id, current.failedLogins)
            if try await deps.store.write({ tx in try await tx.reserveLoginAttempt(userID: userID, failures: failures, at: now) }) {
                attempts = failures + 1
                break
            }
            guard round < 200, let fresh = try await deps.store.read({ try await $0.user(id: userID) }), !fresh.disabled else {
                throw Self.invalidCredentials
            }
            current = fresh
        }
        let userID = user.id
        let counted = attempts
        var failure: String?
        var matchedCounter: Int64?
        if !deps.passwords.verify(password, against: user.passwordHash) {
            failure = "wrong_password"
        } else if user.totpEnabled {
            guard let code = totp, !code.isEmpty else {
                throw SafehavenError(.unauthorised, code: "totp_required", message: "Enter the six-digit code from your authenticator app.")
            }
            if let sealed = user.totpSecretSealed,
               let secret = try? deps.kek.openSecret(sealed, context: "totp:\(user.id)"),
               let counter = TOTP(secret: secret).matchingCounter(code, at: now),
               counter > (user.totpLastCounter ?? Int64.min) {
                matchedCounter = counter
            } else {
                failure = "wrong_totp"
            }
        }
        let (token, hash) = Tokens.generate(random: deps.random)
        let record = AccessToken(id: deps.ids.next(), userID: user.id, kind: .session, tokenHash: hash, createdAt: now,
                                 expiresAt: now.addingTimeInterval(TimeInterval(limits.sessionHours * 3600)))
        if failure == nil {
            let accepted = try await deps.store.write { [matchedCounter] tx -> Bool in
                // With a second factor, only one sign-in can use a given code, however many arrive at once.
                guard try await tx.recordLoginSuccess(userID: userID, totpCounter: matchedCounter) else { return false }
                try await tx.insert(record)
                try await tx.appendAudit(AuditEntry(.loginSucceeded, actor: user.id, organisation: user.organisationID, target: record.id,
                                                    details: ["second_factor": user.totpEnabled ? "totp" : "none"]), at: now)
                return true
            }
            if accepted { return Issued(token: token, record: record) }
            failure = "totp_reused"
        }
        let reason = failure ?? "wrong_password"
        let lockUntil = now.addingTimeInterval(TimeInterval(limits.lockMinutes * 60))
        try await deps.store.write { tx in
            try await tx.appendAudit(AuditEntry(.loginFailed, actor: user.id, organisation: user.organisationID, target: user.id,
                                                details: ["reason": reason]), at: now)
            if counted >= limits.lockLoginsAfter,
               try await tx.lockAccount(userID: userID, until: lockUntil, ifFailuresAtLeast: limits.lockLoginsAfter) {
                try await tx.appendAudit(AuditEntry(.loginLocked, actor: user.id, organisation: user.organisationID,
                                                    target: user.id, details: ["minutes": String(limits.lockMinutes)]), at: now)
            }
        }
        throw Self.invalidCredentials
    }

    /// The user behind a bearer token, or `unauthenticated`.
    public func authenticate(bearer token: String) async throws -> (User, AccessToken) {
        guard token.hasPrefix(Tokens.prefix), token.count < 200 else { throw SafehavenError.unauthenticated }
        let now = deps.clock.now()
        let hash = Tokens.hash(token)
        let found: (User, AccessToken)? = try await deps.store.read { db in
            guard let (record, user) = try await db.tokenWithUser(hash: hash), record.isValid(at: now), !user.disabled else { return nil }
            return (user, record)
        }
        guard let found else { throw SafehavenError.unauthenticated }
        return found
    }

    /// Refuses an attempt on a locked account, or one that comes too soon after the last failure.
    static func checkLimits(_ user: User, limits: Limits, now: Date) throws {
        if let until = user.lockedUntil, until > now {
            throw SafehavenError(.rateLimited, code: "account_locked",
                                 message: "Too many failed sign-ins: this account is locked for a while. Try again later or ask an administrator.",
                                 retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        }
        if user.failedLogins >= limits.slowLoginsAfter, let last = user.lastFailedLoginAt {
            let wait = TimeInterval(1 << min(user.failedLogins - limits.slowLoginsAfter, 10))
            let allowedAt = last.addingTimeInterval(wait)
            if allowedAt > now {
                throw SafehavenError(.rateLimited, code: "too_many_attempts",
                                     message: "Too many failed sign-ins: wait a moment before trying again.",
                                     retryAfter: Int(allowedAt.timeIntervalSince(now).rounded(.up)))
            }
        }
    }

    /// Ends a session (or withdraws an API token).
    public func revoke(_ record: AccessToken, by user: User) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.revokeToken(id: record.id, at: now)
            try await tx.appendAudit(AuditEntry(.sessionEnded, actor: user.id, organisation: user.organisationID, target: record.id,
                                                details: ["kind": record.kind.rawValue]), at: now)
        }
    }

    /// A long-lived API token for scripts, for the user with this address.
    public func createAPIToken(email rawEmail: String, expiresInDays: Int?, actorID: String? = nil) async throws -> Issued {
        let email = try EmailAddress.normalise(rawEmail)
        let days = expiresInDays ?? deps.limits.apiTokenDefaultDays
        guard (1...3650).contains(days) else { throw SafehavenError.invalid("expires_in_days", "Tokens last from 1 to 3650 days.") }
        guard let user = try await deps.store.read({ try await $0.user(email: email) }), !user.disabled else {
            throw SafehavenError.invalid("email", "No active user has that email address.")
        }
        let now = deps.clock.now()
        let (token, hash) = Tokens.generate(random: deps.random)
        let record = AccessToken(id: deps.ids.next(), userID: user.id, kind: .api, tokenHash: hash, createdAt: now,
                                 expiresAt: now.addingTimeInterval(TimeInterval(days) * 86_400))
        try await deps.store.write { tx in
            try await tx.insert(record)
            try await tx.appendAudit(AuditEntry(.tokenCreated, actor: actorID ?? user.id, organisation: user.organisationID,
                                                target: record.id, details: ["days": String(days)]), at: now)
        }
        return Issued(token: token, record: record)
    }

    public struct Enrolment: Sendable, Codable {
        public let secret: String
        public let uri: String
    }

    /// Starts TOTP enrolment: a new secret is kept sealed until the user proves they hold it.
    public func beginTOTP(for user: User) async throws -> Enrolment {
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
    public func confirmTOTP(for user: User, code: String) async throws {
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
        try await deps.store.write { [updated] tx in
            try await tx.updateSecurity(of: updated)
            try await tx.appendAudit(AuditEntry(.userTOTPEnabled, actor: user.id, organisation: user.organisationID, target: user.id), at: now)
        }
    }
}
