import Foundation

/// Invitations for people without an account, and each organisation's rule about them.
public protocol InvitationReading: Sendable {
    func invitation(tokenHash: String) async throws -> Invitation?
    func invitations(shareID: String) async throws -> [Invitation]
    /// Nil when the organisation keeps the default (anyone may be invited).
    func externalPolicy(organisationID: String) async throws -> ExternalPolicy?
}

public protocol InvitationWriting: InvitationReading {
    func insert(_ invitation: Invitation) async throws
    /// Marks it used if it still can be; false when it was used, withdrawn or expired meanwhile.
    func useInvitation(id: String, at: Date) async throws -> Bool
    func withdrawInvitation(id: String, at: Date) async throws -> Bool
    func setExternalPolicy(_ policy: ExternalPolicy, organisationID: String) async throws
    /// A person's details as they gave them, and their password.
    func completeExternal(_ user: User) async throws
}
