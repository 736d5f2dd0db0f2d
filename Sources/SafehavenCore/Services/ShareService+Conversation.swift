import Foundation

/// A share's conversation, and what a sender should know about an address before sending to it.
extension ShareService {
    /// One message of a conversation as this person may see it.
    public struct ThreadItem: Sendable, Equatable {
        public let share: Share
        public let sender: PersonSummary?
    }

    /// The shares of this share's conversation that the person sent or was sent, oldest first.
    /// Someone who cannot open the share gets not-found, as everywhere else.
    public func conversation(_ shareID: String, by user: User) async throws -> [ThreadItem] {
        let share = try await access(shareID, by: user).share
        return try await deps.store.read { db in
            let shares = try await db.thread(share.threadID, visibleTo: user.id)
            var items: [ThreadItem] = []
            for item in shares {
                let sender = try await db.user(id: item.senderID)
                let org = try await db.organisation(id: item.senderOrganisationID)
                items.append(ThreadItem(share: item, sender: sender.map { PersonSummary($0, organisation: org) }))
            }
            return items
        }
    }

    /// The addresses, of those given, that this person has never sent a share to.
    public func firstTimeAddresses(_ emails: [String], from sender: User) async throws -> [String] {
        try await deps.store.read { db in
            var fresh: [String] = []
            for email in emails where try await !db.hasSent(from: sender.id, to: email) { fresh.append(email) }
            return fresh
        }
    }
}
