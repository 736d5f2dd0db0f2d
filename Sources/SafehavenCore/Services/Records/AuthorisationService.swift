import Foundation
import SafehavenCrypto

/// Shares held for a manager's authorisation: sharing without consent, OFFICIAL-SENSITIVE
/// information about many people, bulk identifiers. A manager of the sender's organisation (not
/// the sender) reads the share and the sender's reasons, then authorises it (it is sent, and the
/// register names them) or refuses it with a reason (nothing is sent; its content is destroyed).
public struct AuthorisationService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public struct Request: Sendable {
        public var share: Share
        public var basis: ShareBasis
        public var sender: User?
        public var files: [ShareFile]
        public var message: String?
        public var caseReferences: [String]
    }

    static func mayAuthorise(_ user: User) -> Bool { user.has(.manager) && !user.has(.external) }

    /// Shares waiting in this manager's organisation (not their own), oldest first.
    public func pending(for user: User) async throws -> [Request] {
        guard Self.mayAuthorise(user) else { return [] }
        let organisation = user.organisationID
        let rows = try await deps.store.read { try await $0.records(.basis, organisationID: organisation) }
            .filter { $0.state == ShareBasis.Authorisation.pending.rawValue && $0.ownerID != user.id }
        var out: [Request] = []
        for row in rows.reversed() {
            if let request = try? await request(row.id, for: user), request.share.held, request.share.status(at: deps.clock.now()) == .pendingAuthorisation {
                out.append(request)
            }
        }
        return out
    }

    /// One held share as its authoriser reads it. Anyone else gets not found.
    public func request(_ shareID: String, for user: User) async throws -> Request {
        guard Self.mayAuthorise(user) else { throw SafehavenError.notFound }
        let found = try await deps.store.read { db -> (StoredRecord, Share, User?, [ShareFile], [StoredRecord])? in
            guard let row = try await db.record(id: shareID), row.kind == .basis, row.organisationID == user.organisationID, row.ownerID != user.id,
                  let share = try await db.share(id: shareID) else { return nil }
            var subjects: [StoredRecord] = []
            for link in try await db.links(targetID: shareID, kind: .shareSubject) {
                if let subject = try await db.record(id: link.recordID) { subjects.append(subject) }
            }
            return (row, share, try await db.user(id: share.senderID), try await db.files(shareID: shareID), subjects)
        }
        guard let (row, share, sender, files, subjects) = found else { throw SafehavenError.notFound }
        let vault = RecordVault(deps)
        var message: String?
        if let wrapped = share.wrappedKey, let sealed = share.messageSealed, let bytes = Data(base64Encoded: sealed) {
            message = try ShareService(deps).openMessage(bytes, key: try deps.kek.unwrap(wrapped), share: share.id)
        }
        return Request(share: share, basis: try vault.open(row, as: ShareBasis.self), sender: sender, files: files, message: message,
                       caseReferences: try subjects.map { try vault.open($0, as: DataSubject.self).caseReference })
    }

    /// Authorises a held share: it is addressed and sent now, with the manager in its register entries.
    public func approve(_ shareID: String, by user: User) async throws -> ShareBasis {
        let request = try await request(shareID, for: user)
        guard request.basis.authorisation == .pending, let sender = request.sender, !sender.disabled else {
            throw SafehavenError.conflict("not_pending", "This share is no longer waiting for authorisation.")
        }
        let sharing = ShareService(deps)
        try sharing.requireHeld(request.share)
        let (accounts, invitees) = try await sharing.resolveRecipients(request.basis.recipients, sender: sender, parent: nil)
        let now = deps.clock.now()
        let ids = deps.ids
        let dependencies = deps
        let decided = request.basis.decided(.approved, by: user, at: now)
        let references = request.caseReferences
        let authoriser = user.name + (user.jobTitle.isEmpty ? "" : ", \(user.jobTitle)")
        try await deps.store.write { tx in
            guard let row = try await tx.record(id: shareID), try await tx.release(shareID: shareID) else {
                throw SafehavenError.conflict("not_pending", "This share is no longer waiting for authorisation.")
            }
            _ = try await dependencies.save(decided, after: row, in: tx)
            var share = request.share
            share.held = false
            let invited = invitees.map { User.invited(email: $0, id: ids.next(), at: now) }
            let (recipients, _) = try await ShareService.deliver(share, to: accounts, invited: invited, sender: sender, basis: decided,
                                                                 caseReferences: references, authorisedBy: authoriser, deps: dependencies, at: now, in: tx)
            try await tx.enqueue(Notifications.authorisationDecided(share, approved: true, senderEmail: sender.email, ids: ids, at: now))
            try await tx.appendAudit(AuditEntry(.shareAuthorised, actor: user.id, organisation: user.organisationID, target: shareID,
                                                details: ["recipients": String(recipients.count), "basis": decided.basis.rawValue]), at: now)
        }
        return decided
    }

    /// Refuses a held share with a reason: nothing is sent, its content is destroyed, the sender is told.
    public func refuse(_ shareID: String, reason raw: String, by user: User) async throws -> ShareBasis {
        let reason = try Text.required(raw, field: "reason", max: 2000)
        let request = try await request(shareID, for: user)
        guard request.basis.authorisation == .pending else {
            throw SafehavenError.conflict("not_pending", "This share is no longer waiting for authorisation.")
        }
        let now = deps.clock.now()
        let ids = deps.ids
        let dependencies = deps
        let decided = request.basis.decided(.refused, by: user, at: now, reason: reason)
        let senderEmail = request.sender?.email
        try await deps.store.write { tx in
            guard let row = try await tx.record(id: shareID), try await tx.markRevoked(shareID: shareID, at: now) else {
                throw SafehavenError.conflict("not_pending", "This share is no longer waiting for authorisation.")
            }
            _ = try await dependencies.save(decided, after: row, in: tx)
            if let senderEmail {
                try await tx.enqueue(Notifications.authorisationDecided(request.share, approved: false, senderEmail: senderEmail, ids: ids, at: now))
            }
            try await tx.appendAudit(AuditEntry(.shareAuthorisationRefused, actor: user.id, organisation: user.organisationID, target: shareID,
                                                details: ["basis": decided.basis.rawValue]), at: now)
        }
        try await ShareService(deps).destroy(request.share, reason: "authorisation refused", actor: user)
        return decided
    }

    /// The basis of a share as its sender (or an authoriser) sees it.
    public func basis(of shareID: String, for user: User) async throws -> ShareBasis? {
        guard let row = try await deps.store.read({ try await $0.record(id: shareID) }), row.kind == .basis,
              row.organisationID == user.organisationID, row.ownerID == user.id || Self.mayAuthorise(user) || RecordScope.allows(row, for: user) else {
            return nil
        }
        return try RecordVault(deps).open(row, as: ShareBasis.self)
    }
}

extension ShareService {
    func requireHeld(_ share: Share) throws {
        guard share.status(at: deps.clock.now()) == .pendingAuthorisation else {
            throw SafehavenError.conflict("not_pending", "This share is no longer waiting for authorisation (it was withdrawn or has expired).")
        }
    }
}
