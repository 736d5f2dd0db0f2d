import Foundation

/// Archive passwords shared with partner organisations.
public protocol PartnerPasswordReading: Sendable {
    func partnerPasswords(organisationID: String) async throws -> [PartnerPassword]
    func partnerPassword(id: String) async throws -> PartnerPassword?
    /// Current partner passwords whose rotation date has passed, across all organisations.
    func partnerPasswordsDue(at now: Date) async throws -> [PartnerPassword]
}

public protocol PartnerPasswordWriting: PartnerPasswordReading {
    func insert(_ password: PartnerPassword) async throws
    func retirePartnerPassword(id: String, at: Date) async throws
}
