import Foundation

/// What an operator does with notifications that could not be delivered: see them, send them
/// again, or drop them. Each change is audited.
public struct OutboxAdminService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public func list(_ states: [OutboxMessage.State] = [.failed], limit: Int = 200) async throws -> [OutboxMessage] {
        try await deps.store.read { try await $0.outbox(states: states, limit: limit) }
    }

    /// Queues a failed message again, now; the same Message-ID goes with it.
    public func retry(_ id: String, actor: User?) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard try await tx.requeueOutbox(id: id, at: now) else {
                throw SafehavenError.notFound
            }
            try await tx.appendAudit(AuditEntry(.notificationRetried, actor: actor?.id, organisation: actor?.organisationID, target: id), at: now)
        }
    }

    /// Removes one failed message, or every failed message when `id` is nil; returns how many.
    @discardableResult
    public func purge(_ id: String?, actor: User?) async throws -> Int {
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            let removed = try await tx.purgeFailedOutbox(id: id)
            if id != nil && removed == 0 { throw SafehavenError.notFound }
            try await tx.appendAudit(AuditEntry(.notificationsPurged, actor: actor?.id, organisation: actor?.organisationID, target: id ?? "all",
                                                details: ["count": String(removed)]), at: now)
            return removed
        }
    }
}
