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
    func userCount() async throws -> Int64

    func token(hash: String) async throws -> AccessToken?
    /// A token with the account it belongs to, in one query: every signed-in request asks this.
    func tokenWithUser(hash: String) async throws -> (AccessToken, User)?
}

public protocol DirectoryWriting: DirectoryReading {
    func insert(_ organisation: Organisation) async throws
    func insert(_ user: User) async throws
    /// Saves the security state of a user: password, lock-out counters, TOTP.
    func updateSecurity(of user: User) async throws
    func insert(_ token: AccessToken) async throws
    func revokeToken(id: String, at: Date) async throws

    // Sign-in counters change inside the database, never by read-modify-write in Swift, so
    // attempts made at the same moment are all counted.

    /// Counts a sign-in attempt before the password is checked, only if the account's failure count
    /// is still `failures` (what the decision to allow it was based on) and it is not locked at
    /// `at`; false if another attempt changed it first.
    func reserveLoginAttempt(userID: String, failures: Int, at: Date) async throws -> Bool
    /// Locks the account until `until` if it has at least `failures` counted; true if this call locked it.
    func lockAccount(userID: String, until: Date, ifFailuresAtLeast failures: Int) async throws -> Bool
    /// Clears the counters after a good sign-in. With a TOTP step, only if that step is newer than
    /// the last one accepted (so one code signs in once); false if another sign-in used it first.
    func recordLoginSuccess(userID: String, totpCounter: Int64?) async throws -> Bool
}
