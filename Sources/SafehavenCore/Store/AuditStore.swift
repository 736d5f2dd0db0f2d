import Foundation

/// The hash-chained audit trail and its signed checkpoints.
public protocol AuditReading: Sendable {
    func auditCount() async throws -> Int64
    /// Events with `seq` greater than `after`, in order, at most `limit`.
    func auditEvents(after: Int64, limit: Int) async throws -> [AuditEvent]
    func auditCheckpoints() async throws -> [AuditCheckpoint]
    func latestAuditCheckpoint() async throws -> AuditCheckpoint?
    /// The newest event's sequence number and hash; nil for an empty chain.
    func auditHead() async throws -> (seq: Int64, hash: String)?
    func auditEvent(seq: Int64) async throws -> AuditEvent?
}

public protocol AuditWriting: AuditReading {
    /// Appends to the chain inside the caller's transaction, so an action and its audit record
    /// are committed together or not at all.
    @discardableResult
    func appendAudit(_ entry: AuditEntry, at: Date) async throws -> AuditEvent
    func insertAuditCheckpoint(_ checkpoint: AuditCheckpoint) async throws
}
