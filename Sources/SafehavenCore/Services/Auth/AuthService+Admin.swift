import Foundation

/// What an administrator does to someone else's account. Each takes effect at once: a disabled
/// account's sessions and tokens are ended in the same transaction, and every signed-in request
/// checks the account anyway.
extension AuthService {
    func requireAdmin(_ actor: User) throws {
        guard actor.has(.admin) || actor.has(.serviceAdmin) else {
            throw SafehavenError.forbidden("not_an_administrator", "Only an administrator can do this.")
        }
    }

    /// The account an administrator acts on: anyone for the service's administrators, their own
    /// organisation's people for an organisation's administrator; others are not found.
    func target(_ userID: String, by actor: User?) async throws -> User {
        if let actor { try requireAdmin(actor) }
        guard let user = try await deps.store.read({ try await $0.user(id: userID) }),
              actor.map({ AuthService.mayAdminister($0, organisationID: user.organisationID) }) ?? true else { throw SafehavenError.notFound }
        return user
    }

    /// Whether this person administers accounts of that organisation.
    public static func mayAdminister(_ actor: User, organisationID: String) -> Bool {
        actor.has(.serviceAdmin) || (actor.has(.admin) && actor.organisationID == organisationID)
    }

    /// Disables or re-enables an account. Disabling ends every session and token at once.
    @discardableResult
    public func setDisabled(_ userID: String, _ disabled: Bool, by actor: User?) async throws -> User {
        var user = try await target(userID, by: actor)
        if let actor, actor.id == user.id, disabled {
            throw SafehavenError.conflict("cannot_disable_self", "You cannot disable your own account; ask another administrator.")
        }
        let now = deps.clock.now()
        try await deps.store.write { [user] tx in
            try await tx.setDisabled(userID: user.id, disabled)
            let ended = disabled ? try await tx.revokeTokens(userID: user.id, except: nil, at: now) : 0
            try await tx.appendAudit(AuditEntry(disabled ? .userDisabled : .userEnabled, actor: actor?.id, organisation: user.organisationID,
                                                target: user.id, details: disabled ? ["tokens_ended": String(ended)] : [:]), at: now)
        }
        user.disabled = disabled
        return user
    }

    /// Removes a user's second factor (lost phone) so they can enrol again after signing in with
    /// their password; their sessions and tokens end.
    @discardableResult
    public func resetTOTP(_ userID: String, by actor: User?) async throws -> User {
        var user = try await target(userID, by: actor)
        user.removeSecondFactor()
        let now = deps.clock.now()
        try await deps.store.write { [user] tx in
            try await tx.updateSecurity(of: user)
            try await tx.replaceRecoveryCodes(userID: user.id, hashes: [])
            try await tx.revokeTokens(userID: user.id, except: nil, at: now)
            try await tx.appendAudit(AuditEntry(.userTOTPDisabled, actor: actor?.id, organisation: user.organisationID, target: user.id,
                                                details: ["by": "administrator"]), at: now)
        }
        return user
    }
}
