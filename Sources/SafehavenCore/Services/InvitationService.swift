import Foundation
import SafehavenCrypto

/// People without an account: opening an invitation (which changes nothing, so a mail scanner
/// that follows every link does no harm), accepting it with their details and a password (the
/// one deliberate step that uses it up), and the sender resending or withdrawing it.
public struct InvitationService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// What the invitation page shows: who invited them and how the share is marked.
    public struct Opened: Sendable {
        public let invitation: Invitation
        public let sender: PersonSummary?
        public let marking: String
    }

    static let expired = SafehavenError.gone("invitation_expired",
        "This link no longer works: it has been used, withdrawn or is more than seven days old. Ask the person who sent it to send a new one.")

    /// Looks the link up without changing anything.
    public func open(_ token: String) async throws -> Opened {
        guard token.count == 32, token.allSatisfy(\.isHexDigit) else { throw SafehavenError.notFound }
        let hash = Tokens.hash(token)
        let now = deps.clock.now()
        return try await deps.store.read { db in
            guard let invitation = try await db.invitation(tokenHash: hash) else { throw SafehavenError.notFound }
            guard invitation.usable(at: now) else { throw Self.expired }
            let sender = try await db.user(id: invitation.senderID)
            let org = try await db.organisation(id: sender?.organisationID ?? "")
            let share = try await db.share(id: invitation.shareID)
            return Opened(invitation: invitation, sender: sender.map { PersonSummary($0, organisation: org) },
                          marking: share?.marking.rawValue ?? "OFFICIAL")
        }
    }

    /// The details they give (recorded as self-declared) and a password. Uses the link up.
    public struct Details: Sendable {
        public var name: String
        public var jobTitle: String
        public var organisation: String
        public var phone: String
        public var password: String
        public init(name: String, jobTitle: String, organisation: String, phone: String, password: String) {
            self.name = name
            self.jobTitle = jobTitle
            self.organisation = organisation
            self.phone = phone
            self.password = password
        }
    }

    @discardableResult
    public func accept(_ token: String, _ details: Details) async throws -> User {
        let opened = try await open(token)
        let name = try Text.required(details.name, field: "name", max: 200)
        let jobTitle = try Text.required(details.jobTitle, field: "job_title", max: 200)
        let organisation = try Text.required(details.organisation, field: "organisation", max: 200)
        let phone = try Text.required(details.phone, field: "phone", max: 40)
        try PasswordPolicy.check(details.password, email: opened.invitation.email, name: name)
        let passwords = deps.passwords
        let password = details.password
        let hash = try await deps.hashing.run { try passwords.hash(password) }
        let now = deps.clock.now()
        let ids = deps.ids
        let invitation = opened.invitation
        return try await deps.store.write { tx in
            guard var user = try await tx.user(id: invitation.userID), user.awaitingInvitation,
                  try await tx.useInvitation(id: invitation.id, at: now) else { throw Self.expired }
            user.name = name
            user.jobTitle = jobTitle
            user.department = organisation
            user.phone = phone
            user.passwordHash = hash
            try await tx.completeExternal(user)
            // The register learns who actually received it, as they describe themselves.
            if let share = try await tx.share(id: invitation.shareID), let sender = try await tx.user(id: invitation.senderID) {
                try await tx.insert(Disclosure.forShare(share, method: .safehaven, sender: sender, recipient: PersonSummary(
                    email: user.email, name: name, jobTitle: jobTitle + " (self-declared)", phone: phone,
                    organisation: organisation + " (self-declared, invited from outside Safehaven)"), id: ids.next(), at: now))
            }
            try await tx.appendAudit(AuditEntry(.invitationAccepted, actor: user.id, organisation: User.externalOrganisationID,
                                                target: invitation.id), at: now)
            return user
        }
    }

    /// The sender's view of a share's invitations: who has not yet set up their access.
    public func pending(_ shareID: String, by user: User) async throws -> [Invitation] {
        let access = try await ShareService(deps).access(shareID, by: user)
        guard access.isSender else { return [] }
        let now = deps.clock.now()
        let all = try await deps.store.read { try await $0.invitations(shareID: shareID) }
        let accepted = Set(all.filter { $0.usedAt != nil }.map(\.email))
        var latest: [String: Invitation] = [:]
        for invitation in all where !accepted.contains(invitation.email) { latest[invitation.email] = invitation }
        return latest.values.filter { $0.withdrawnAt == nil || $0.usable(at: now) }.sorted { $0.email < $1.email }
    }

    /// A new link for someone who has not used theirs (lost, or expired): the old one stops working.
    public func resend(_ shareID: String, email: String, by user: User) async throws {
        let access = try await ShareService(deps).access(shareID, by: user)
        try access.requireSender("not_the_sender", "Only the sender can resend an invitation.")
        try ShareService(deps).requireActive(access.share)
        let now = deps.clock.now()
        let deps = self.deps
        let share = access.share
        try await deps.store.write { tx in
            let all = try await tx.invitations(shareID: share.id).filter { $0.email == email }
            guard let last = all.last, all.allSatisfy({ $0.usedAt == nil }),
                  let person = try await tx.user(id: last.userID), person.awaitingInvitation,
                  let recipient = try await tx.recipients(shareID: share.id).first(where: { $0.userID == person.id }) else {
                throw SafehavenError.notFound
            }
            for old in all { _ = try await tx.withdrawInvitation(id: old.id, at: now) }
            let organisation = try await tx.organisation(id: user.organisationID)?.name
            try await ShareService.invite(person, to: share, recipient: recipient, sender: user, senderOrganisation: organisation,
                                          deps: deps, at: now, in: tx)
        }
    }

    /// Stops an unused invitation working; the person can no longer set up access through it.
    public func withdraw(_ shareID: String, email: String, by user: User) async throws {
        let access = try await ShareService(deps).access(shareID, by: user)
        try access.requireSender("not_the_sender", "Only the sender can withdraw an invitation.")
        let now = deps.clock.now()
        try await deps.store.write { tx in
            var withdrawn = 0
            for invitation in try await tx.invitations(shareID: shareID) where invitation.email == email {
                if try await tx.withdrawInvitation(id: invitation.id, at: now) {
                    withdrawn += 1
                    try await tx.appendAudit(AuditEntry(.invitationWithdrawn, actor: user.id, organisation: user.organisationID,
                                                        target: invitation.id), at: now)
                }
            }
            guard withdrawn > 0 else { throw SafehavenError.notFound }
        }
    }
}
