import Foundation

/// What a person may do in their organisation.
public enum Role: String, Codable, CaseIterable, Sendable {
    case practitioner
    case manager
    case igOfficer = "ig-officer"
    /// Manages the accounts of their own organisation.
    case admin
    /// Runs the service: adds organisations and manages every account (the first administrator).
    case serviceAdmin = "service-admin"
    /// Someone invited from outside to read what was sent to them and reply: nothing else.
    case external
}

/// A person with an account.
public struct User: Codable, Equatable, Sendable {
    public var id: String
    public var organisationID: String
    /// Lower-case address; unique across the service.
    public var email: String
    public var name: String
    public var jobTitle: String
    public var department: String
    public var phone: String
    public var roles: [Role]
    public var passwordHash: String
    /// TOTP seed sealed under the key-encryption key; set during enrolment.
    public var totpSecretSealed: String?
    public var totpEnabled: Bool
    /// Last TOTP time step accepted, so a code cannot be replayed.
    public var totpLastCounter: Int64?
    public var failedLogins: Int
    public var lastFailedLoginAt: Date?
    public var lockedUntil: Date?
    public var disabled: Bool
    /// Set for a one-time password (the first administrator's): nothing else works until it is changed.
    public var mustChangePassword: Bool = false
    public var createdAt: Date

    public init(
        id: String, organisationID: String, email: String, name: String, jobTitle: String, department: String,
        phone: String, roles: [Role], passwordHash: String, createdAt: Date
    ) {
        self.id = id
        self.organisationID = organisationID
        self.email = email
        self.name = name
        self.jobTitle = jobTitle
        self.department = department
        self.phone = phone
        self.roles = roles
        self.passwordHash = passwordHash
        self.totpSecretSealed = nil
        self.totpEnabled = false
        self.totpLastCounter = nil
        self.failedLogins = 0
        self.lastFailedLoginAt = nil
        self.lockedUntil = nil
        self.disabled = false
        self.createdAt = createdAt
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}

/// A bearer token: a sign-in session or a long-lived API token. Only the hash is stored.
public struct AccessToken: Codable, Equatable, Sendable {
    /// `session`: an API sign-in; `api`: a long-lived token for scripts; `web`: a browser session
    /// (a cookie), which also ends after a spell of inactivity.
    public enum Kind: String, Codable, Sendable { case session, api, web }
    public var id: String
    public var userID: String
    public var kind: Kind
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(id: String, userID: String, kind: Kind, tokenHash: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil,
                lastUsedAt: Date? = nil) {
        self.lastUsedAt = lastUsedAt
        self.id = id
        self.userID = userID
        self.kind = kind
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isValid(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}
