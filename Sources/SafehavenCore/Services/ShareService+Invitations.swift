import Foundation
import SafehavenCrypto

extension User {
    /// An account for someone invited from outside: no usable password until they choose one.
    static func invited(email: String, id: String, at now: Date) -> User {
        User(id: id, organisationID: User.externalOrganisationID, email: email, name: "", jobTitle: "", department: "", phone: "",
             roles: [.external], passwordHash: User.noPassword, createdAt: now)
    }

    /// The organisation every invited person's account belongs to (made by migration 17).
    public static let externalOrganisationID = "external"
    /// Stands for "no password yet": no hash ever equals it, so nobody signs in with it.
    public static let noPassword = "!invited"

    /// Invited, and has not yet set up their access.
    public var awaitingInvitation: Bool { has(.external) && passwordHash == User.noPassword }
}

extension ShareService {
    /// Makes a single-use link for someone without an account and queues the email that carries
    /// it, in the caller's transaction. The database keeps only the link's hash; the email's copy
    /// of it is sealed under the key-encryption key until the message is written.
    static func invite(_ person: User, to share: Share, recipient: Recipient, sender: User, senderOrganisation: String?,
                       deps: Dependencies, at now: Date, in tx: any StoreWriter) async throws {
        let token = Encoding.hex(deps.random.bytes(16))
        let invitation = Invitation(id: deps.ids.next(), email: person.email, userID: person.id, senderID: sender.id, shareID: share.id,
                                    tokenHash: Tokens.hash(token), createdAt: now, expiresAt: now.addingTimeInterval(Invitation.lifetime))
        try await tx.insert(invitation)
        let sealed = try deps.kek.sealSecret(Array(token.utf8), context: "invitation:\(invitation.id)", random: deps.random)
        try await tx.enqueue(Notifications.message(
            .invitation, to: person.email, dedupe: "invitation:\(invitation.id)", share: share,
            values: ["senderName": sender.name, "senderOrganisation": senderOrganisation ?? "", "marking": share.marking.rawValue,
                     "invitation": invitation.id, "sealedToken": sealed, "expires": ISODate.format(invitation.expiresAt)],
            ids: deps.ids, at: now))
        try await tx.appendAudit(AuditEntry(.invitationSent, actor: sender.id, organisation: sender.organisationID, target: invitation.id,
                                            details: ["share": share.id]), at: now)
    }
}
