import Foundation

/// The one place that decides who may see and do what with a share. The API, the web pages and
/// the command line all ask here, so they always get the same answer.
extension ShareService {
    /// A share as one viewer may see it.
    public struct Access: Sendable {
        public let share: Share
        /// The viewer's own addressee row; nil when the viewer is the sender.
        public let recipient: Recipient?
        public var isSender: Bool { recipient == nil }

        /// Refuses anyone but the sender (who already knows the share exists).
        public func requireSender(_ code: String, _ message: String) throws {
            guard isSender else { throw SafehavenError.forbidden(code, message) }
        }

        /// Refuses anyone but an addressee, returning their addressee row.
        public func requireRecipient(_ code: String, _ message: String) throws -> Recipient {
            guard let recipient else { throw SafehavenError.forbidden(code, message) }
            return recipient
        }
    }

    /// The share if the user sent it or is an addressee who has not deleted it; otherwise not found.
    public func access(_ shareID: String, by user: User) async throws -> Access {
        try Self.requireSecondFactorIfInvited(user)
        let found: Access? = try await deps.store.read { db in
            guard let share = try await db.share(id: shareID) else { return nil }
            if share.senderID == user.id { return Access(share: share, recipient: nil) }
            guard let mine = try await db.recipients(shareID: shareID).first(where: { $0.userID == user.id }),
                  mine.deletedAt == nil else { return nil }
            return Access(share: share, recipient: mine)
        }
        guard let found else { throw SafehavenError.notFound }
        return found
    }

    /// Someone invited from outside reads nothing, through any door, until their authenticator
    /// app is set up.
    static func requireSecondFactorIfInvited(_ user: User) throws {
        if user.has(.external) && !user.totpEnabled {
            throw SafehavenError.forbidden("second_factor_required", "Set up an authenticator app on your account before reading what was sent to you.")
        }
    }

    func requireActive(_ share: Share) throws {
        switch share.status(at: deps.clock.now()) {
        case .active: return
        case .revoked: throw SafehavenError.gone("share_revoked", "The sender has withdrawn this share.")
        case .expired: throw SafehavenError.gone("share_expired", "This share has expired and its content is no longer available.")
        case .destroyed: throw SafehavenError.gone("share_destroyed", "The content of this share has been destroyed.")
        case .pendingAuthorisation:
            throw SafehavenError.conflict("pending_authorisation", "This share is waiting for a manager's authorisation; nothing has been sent yet.")
        }
    }
}
