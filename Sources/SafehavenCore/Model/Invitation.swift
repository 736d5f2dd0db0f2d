import Foundation

/// A single-use link that lets someone without an account set one up to read what was sent to
/// them. Only the token's hash is stored; it expires after seven days and works once.
public struct Invitation: Codable, Equatable, Sendable {
    public var id: String
    public var email: String
    /// The account made for them, which has no password until they choose one.
    public var userID: String
    public var senderID: String
    public var shareID: String
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    public var withdrawnAt: Date?

    public init(id: String, email: String, userID: String, senderID: String, shareID: String, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.email = email
        self.userID = userID
        self.senderID = senderID
        self.shareID = shareID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public static let lifetime: TimeInterval = 7 * 86_400

    public func usable(at now: Date) -> Bool { usedAt == nil && withdrawnAt == nil && now < expiresAt }
}

/// An organisation's rule about sending to people without an account.
public struct ExternalPolicy: Codable, Equatable, Sendable {
    public enum Rule: String, Codable, Sendable, CaseIterable {
        /// Anyone (the default).
        case any
        /// Nobody: every recipient must have an account.
        case none
        /// Only addresses on the listed domains.
        case listed
    }
    public var rule: Rule
    public var domains: [String]
    public init(rule: Rule = .any, domains: [String] = []) {
        self.rule = rule
        self.domains = domains
    }

    public func allows(_ email: String) -> Bool {
        switch rule {
        case .any: return true
        case .none: return false
        case .listed: return domains.contains(EmailAddress.domain(of: email))
        }
    }
}
