@preconcurrency import Crypto
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

    /// Signs a user in. Attempts are counted before the password is checked, per address typed
    /// from this source, per address and per source (`SignInThrottle`); an unknown or disabled
    /// address, a wrong password, a missing or wrong code all get the same answer and are counted
    /// the same way.
    /// - Parameter source: the client's network address, as the server saw it.
    public func login(email rawEmail: String, password: String, totp: String?, source: String = "unknown",
                      kind: AccessToken.Kind = .session) async throws -> Issued {
        let now = deps.clock.now()
        let limits = deps.limits
        let email = try? EmailAddress.normalise(rawEmail)
        let throttle = SignInThrottle(email: email ?? rawEmail, source: source, limits: limits)
        let attempt = try await reserveAttempt(throttle, at: now)
        var found: User?
        if let email { found = try await deps.store.read { try await $0.user(email: email) } }
        let user = found
        var failure: String
        var matchedCounter: Int64?
        var usedRecovery = false
        if let user, !user.disabled {
            if !(await deps.hashing.run { deps.passwords.verify(password, against: user.passwordHash) }) {
                failure = "wrong_password"
            } else if user.totpEnabled {
                let code = (totp ?? "").trimmingCharacters(in: .whitespaces)
                if code.contains(where: \.isLetter) {
                    // A one-time recovery code instead of the app's code: used at most once.
                    let hash = Self.recoveryHash(code)
                    usedRecovery = try await deps.store.write { try await $0.useRecoveryCode(userID: user.id, hash: hash, at: now) }
                    failure = usedRecovery ? "" : "wrong_recovery_code"
                } else if !code.isEmpty, let sealed = user.totpSecretSealed,
                   let secret = try? deps.kek.openSecret(sealed, context: "totp:\(user.id)"),
                   let counter = TOTP(secret: secret).matchingCounter(code, at: now),
                   counter > (user.totpLastCounter ?? Int64.min) {
                    matchedCounter = counter
                    failure = ""
                } else {
                    failure = code.isEmpty ? "totp_missing" : "wrong_totp"
                }
            } else {
                failure = ""
            }
        } else {
            await deps.hashing.run { deps.passwords.dummyVerify(password) }
            failure = user == nil ? "unknown_account" : "disabled_account"
        }
        if let user, failure.isEmpty {
            let (token, hash) = Tokens.generate(random: deps.random)
            let record = AccessToken(id: deps.ids.next(), userID: user.id, kind: kind, tokenHash: hash, createdAt: now,
                                     expiresAt: now.addingTimeInterval(TimeInterval(limits.sessionHours * 3600)),
                                     lastUsedAt: kind == .web ? now : nil)
            let accepted = try await deps.store.write { [matchedCounter, usedRecovery] tx -> Bool in
                // With a second factor, only one sign-in can use a given code, however many arrive at once.
                guard try await tx.recordLoginSuccess(userID: user.id, totpCounter: matchedCounter) else { return false }
                try await tx.clearThrottle(keys: throttle.clearedOnSuccess)
                try await tx.uncountAttempt(key: throttle.source.key)
                try await tx.insert(record)
                try await tx.appendAudit(AuditEntry(.loginSucceeded, actor: user.id, organisation: user.organisationID, target: record.id,
                                                    details: ["second_factor": usedRecovery ? "recovery_code" : user.totpEnabled ? "totp" : "none"]), at: now)
                return true
            }
            if accepted { return Issued(token: token, record: record) }
            failure = "totp_reused"
        }
        let reason = failure
        let pair = throttle.pair
        let lockUntil = now.addingTimeInterval(TimeInterval(limits.lockMinutes * 60))
        try await deps.store.write { tx in
            try await tx.appendAudit(AuditEntry(.loginFailed, actor: user?.id, organisation: user?.organisationID, target: user?.id,
                                                details: ["reason": reason]), at: now)
            if let lockAfter = pair.lockAfter, attempt >= lockAfter,
               try await tx.lockThrottle(key: pair.key, until: lockUntil, ifFailuresAtLeast: lockAfter) {
                try await tx.appendAudit(AuditEntry(.loginLocked, actor: user?.id, organisation: user?.organisationID,
                                                    target: user?.id, details: ["minutes": String(limits.lockMinutes)]), at: now)
            }
        }
        throw Self.invalidCredentials
    }

    struct LostRace: Error {}

    /// Decides on the counters whether an attempt may go ahead and counts it, in one transaction,
    /// only if every counter is still what the decision saw (compare and set, in the database,
    /// before the expensive hash). An attempt that lost a race decides again on fresh counters, so
    /// attempts sent in parallel can never get past the limits together. Returns the attempt's
    /// number on the per-source counter.
    func reserveAttempt(_ throttle: SignInThrottle, at now: Date) async throws -> Int {
        for _ in 0..<200 {
            do {
                return try await deps.store.write { tx in
                    var pairCount = 0
                    for bucket in throttle.buckets {
                        let state = try await tx.throttle(key: bucket.key)
                        try SignInThrottle.check(state, bucket, now: now)
                        guard try await tx.countAttempt(key: bucket.key, seen: state?.failures, at: now) else { throw LostRace() }
                        if bucket.scope == .accountFromSource { pairCount = (state?.failures ?? 0) + 1 }
                    }
                    return pairCount
                }
            } catch is LostRace {
                continue
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

    /// Background job: forgets sign-in counters untouched for a day (unless locked).
    @discardableResult
    public func pruneThrottle() async throws -> Int {
        let cutoff = deps.clock.now().addingTimeInterval(-86_400)
        return try await deps.store.write { try await $0.pruneThrottle(before: cutoff) }
    }

    /// The user behind a browser session cookie: like a bearer token, and also ended after
    /// `Limits.webIdleMinutes` without use. Use is recorded at most once a minute.
    public func authenticate(webSession token: String) async throws -> (User, AccessToken) {
        let (user, record) = try await authenticate(bearer: token)
        guard record.kind == .web else { throw SafehavenError.unauthenticated }
        let now = deps.clock.now()
        let last = record.lastUsedAt ?? record.createdAt
        if now.timeIntervalSince(last) > TimeInterval(deps.limits.webIdleMinutes * 60) {
            try await deps.store.write { try await $0.revokeToken(id: record.id, at: now) }
            throw SafehavenError(.unauthorised, code: "session_idle", message: "You were signed out after a period of inactivity. Sign in again.")
        }
        if now.timeIntervalSince(last) > 60 {
            let id = record.id
            try await deps.store.write { try await $0.touchToken(id: id, at: now) }
        }
        return (user, record)
    }

    /// The form token for a browser session: derived from the session's secret, so it needs no
    /// storage, differs per session and cannot be guessed from the cookie's hash.
    public static func formToken(forSession token: String) -> String {
        Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array("safehaven-form-v1".utf8), using: SymmetricKey(data: Array(token.utf8))))
    }

    /// Signs out every session and token of the account (the "sign out everywhere" button).
    public func signOutEverywhere(_ user: User) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            let ended = try await tx.revokeTokens(userID: user.id, except: nil, at: now)
            try await tx.appendAudit(AuditEntry(.sessionEnded, actor: user.id, organisation: user.organisationID, target: user.id,
                                                details: ["everywhere": String(ended)]), at: now)
        }
    }
}
