import Foundation

/// The notification outbox.
public protocol OutboxReading: Sendable {
    func outbox(states: [OutboxMessage.State], limit: Int) async throws -> [OutboxMessage]
    func outboxMessage(id: String) async throws -> OutboxMessage?
    /// The newest message for a share and address, if any (for tracking: queued, accepted, failed).
    func outboxMessages(shareID: String) async throws -> [OutboxMessage]
}

public protocol OutboxWriting: OutboxReading {
    /// Adds a notification unless one with the same dedupe key exists; true when added.
    @discardableResult
    func enqueue(_ message: OutboxMessage) async throws -> Bool
    /// Claims up to `limit` messages due at `now` (queued, or sending with a lapsed lease) for
    /// `owner` until `until`. On PostgreSQL rows another worker holds are skipped, never waited for.
    func claimOutbox(owner: String, now: Date, until: Date, limit: Int) async throws -> [OutboxMessage]
    /// Marks a claimed message accepted, in one step, if this owner still holds it.
    func markOutboxAccepted(id: String, owner: String, at: Date) async throws -> Bool
    /// Puts a claimed message back for a later try, or marks it failed for good.
    func releaseOutbox(id: String, owner: String, state: OutboxMessage.State, nextAttemptAt: Date, error: String) async throws -> Bool
    /// An administrator's retry of a failed message: queued again at once.
    func requeueOutbox(id: String, at: Date) async throws -> Bool
    /// Removes failed messages (all, or one); returns how many.
    func purgeFailedOutbox(id: String?) async throws -> Int
}
