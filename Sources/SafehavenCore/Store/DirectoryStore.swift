import Foundation

/// Organisations, users and their tokens.
public protocol DirectoryReading: Sendable {
    func organisation(id: String) async throws -> Organisation?
    func organisation(domain: String) async throws -> Organisation?
    /// Every organisation with its domains, in one query.
    func organisations() async throws -> [Organisation]
    /// The organisations with these ids, with their domains, in one query.
    func organisations(ids: [String]) async throws -> [Organisation]

    func user(id: String) async throws -> User?
    func user(email: String) async throws -> User?
    /// The accounts for these addresses (those that exist), in one query.
    func users(emails: [String]) async throws -> [User]
    /// Everyone in one organisation, by name.
    func users(organisationID: String) async throws -> [User]
    func userCount() async throws -> Int64

    func token(hash: String) async throws -> AccessToken?
    /// A token with the account it belongs to, in one query: every signed-in request asks this.
    func tokenWithUser(hash: String) async throws -> (AccessToken, User)?
    /// A user's tokens that are neither revoked nor expired at `at`, newest first.
    func liveTokens(userID: String, at: Date) async throws -> [AccessToken]
    func unusedRecoveryCodes(userID: String) async throws -> Int
}

public protocol DirectoryWriting: DirectoryReading {
    func insert(_ organisation: Organisation) async throws
    func insert(_ user: User) async throws
    /// Saves the security state of a user: password, lock-out counters, TOTP.
    func updateSecurity(of user: User) async throws
    func insert(_ token: AccessToken) async throws
    func revokeToken(id: String, at: Date) async throws
    /// Records that a web session was used (for its idle timeout).
    func touchToken(id: String, at: Date) async throws
    /// Replaces a user's recovery codes (hashes); an empty list removes them.
    func replaceRecoveryCodes(userID: String, hashes: [String]) async throws
    /// Uses one recovery code, only if it is the user's and unused; true if this call used it.
    func useRecoveryCode(userID: String, hash: String, at: Date) async throws -> Bool

    /// Records a good sign-in. With a TOTP step, only if that step is newer than the last one
    /// accepted (so one code signs in once); false if another sign-in used it first.
    func recordLoginSuccess(userID: String, totpCounter: Int64?) async throws -> Bool
    /// Revokes every live token of a user except `keeping`; returns how many.
    @discardableResult
    func revokeTokens(userID: String, except keeping: String?, at: Date) async throws -> Int
    func setDisabled(userID: String, _ disabled: Bool) async throws
    /// Name, job title, department, telephone and roles.
    func updateProfile(of user: User) async throws
}

/// Sign-in throttling state, one row per key (see `SignInThrottle`).
public struct ThrottleState: Sendable, Equatable {
    public var failures: Int
    public var lastFailedAt: Date?
    public var lockedUntil: Date?
    public init(failures: Int, lastFailedAt: Date?, lockedUntil: Date?) {
        self.failures = failures
        self.lastFailedAt = lastFailedAt
        self.lockedUntil = lockedUntil
    }
}

public protocol SignInThrottleWriting: Sendable {
    func throttle(key: String) async throws -> ThrottleState?
    // Counters change inside the database, never by read-modify-write in Swift, so attempts made
    // at the same moment are all counted.

    /// Counts an attempt, only if the key's failure count is still `seen` (nil: no row yet) and it
    /// is not locked at `at`; false if another attempt changed it first.
    func countAttempt(key: String, seen: Int?, at: Date) async throws -> Bool
    /// Locks the key until `until` if it has at least `failures` counted; true if this call locked it.
    func lockThrottle(key: String, until: Date, ifFailuresAtLeast failures: Int) async throws -> Bool
    func clearThrottle(keys: [String]) async throws
    /// Takes back one counted attempt (a sign-in that succeeded was counted before the check).
    func uncountAttempt(key: String) async throws
    /// Forgets keys not locked whose last failure is older than `before`; returns how many.
    @discardableResult
    func pruneThrottle(before: Date) async throws -> Int
}
