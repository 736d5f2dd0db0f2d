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
}
