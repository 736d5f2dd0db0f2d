import Foundation
import SafehavenCrypto

/// What a verification found when the chain holds.
public struct AuditReport: Equatable, Sendable {
    /// Events in the chain.
    public var events: Int64
    /// The newest signed checkpoint, if any.
    public var lastCheckpoint: AuditCheckpoint?
    /// Events after the newest checkpoint: allowed only while younger than one signing interval.
    public var unsignedTail: Int64

    public init(events: Int64, lastCheckpoint: AuditCheckpoint?, unsignedTail: Int64) {
        self.events = events
        self.lastCheckpoint = lastCheckpoint
        self.unsignedTail = unsignedTail
    }
}

/// The outcome of checking an audit chain: intact, or the first event that breaks it and why.
public enum AuditOutcome: Equatable, Sendable {
    case ok(AuditReport)
    case bad(seq: Int64, reason: String)
}

/// Checks an audit chain event by event, in order, holding only the previous hash: the same
/// logic for the live database and for an export read on another machine. Needs only the public
/// key.
///
/// The chain holds when sequence numbers run 1, 2, 3… without gaps, every hash follows from the
/// one before, every checkpoint is validly signed and matches the chain at its count, and every
/// event is covered by a checkpoint except the newest ones written within one signing interval
/// of `now`. A checkpoint beyond the end of the chain means events were deleted from the tail.
public struct AuditChainCheck: Sendable {
    private let checkpoints: [Int64: AuditCheckpoint]
    private let newest: AuditCheckpoint?
    private var previous = AuditChain.genesis
    private var lastSeq: Int64 = 0
    private var firstUncovered: (seq: Int64, at: Date)?
    private(set) var failure: AuditOutcome?

    /// Fails at once when a checkpoint's signature is not valid for `verifier`.
    public init(checkpoints: [AuditCheckpoint], verifier: CheckpointVerifier) {
        var byCount: [Int64: AuditCheckpoint] = [:]
        var failure: AuditOutcome?
        for checkpoint in checkpoints.sorted(by: { $0.count < $1.count }) {
            if !verifier.verify(count: checkpoint.count, headHex: checkpoint.headHash, signatureHex: checkpoint.signature) {
                failure = failure ?? .bad(seq: checkpoint.count,
                                          reason: "the checkpoint at event \(checkpoint.count) is not signed by this audit key")
            }
            if let other = byCount[checkpoint.count], other.headHash != checkpoint.headHash {
                failure = failure ?? .bad(seq: checkpoint.count, reason: "two signed checkpoints disagree about event \(checkpoint.count)")
            }
            byCount[checkpoint.count] = checkpoint
        }
        self.checkpoints = byCount
        self.newest = byCount.values.max { $0.count < $1.count }
        self.failure = failure
    }

    /// Takes the next event; returns false once the chain is known to be broken.
    @discardableResult
    public mutating func feed(_ event: AuditEvent) -> Bool {
        guard failure == nil else { return false }
        let expected = lastSeq + 1
        if event.seq != expected {
            let reason = event.seq > expected ? "event \(expected) is missing (next stored event is \(event.seq))"
                                              : "event \(event.seq) appears out of order after event \(lastSeq)"
            failure = .bad(seq: expected, reason: reason)
            return false
        }
        if event.previousHash != previous {
            failure = .bad(seq: event.seq, reason: "event \(event.seq) does not link to the event before it")
            return false
        }
        guard let recomputed = try? AuditChain.next(previousHex: previous, fields: event.chainFields), recomputed == event.hash else {
            failure = .bad(seq: event.seq, reason: "event \(event.seq) has been altered (its hash does not match its contents)")
            return false
        }
        if let signed = checkpoints[event.seq], signed.headHash != event.hash {
            failure = .bad(seq: event.seq,
                           reason: "event \(event.seq) differs from the signed checkpoint: the chain was rewritten from here or earlier")
            return false
        }
        if event.seq > (newest?.count ?? 0), firstUncovered == nil { firstUncovered = (event.seq, event.at) }
        previous = event.hash
        lastSeq = event.seq
        return true
    }

    /// The verdict once every event has been fed. `now` and `interval` decide how old an unsigned
    /// tail may be.
    public func finish(now: Date, interval: TimeInterval) -> AuditOutcome {
        if let failure { return failure }
        if let newest, newest.count > lastSeq {
            return .bad(seq: lastSeq + 1, reason: "the chain ends at event \(lastSeq) but a signed checkpoint covers "
                        + "\(newest.count) events: events were deleted from the end")
        }
        if let uncovered = firstUncovered, uncovered.at < now.addingTimeInterval(-interval) {
            return .bad(seq: uncovered.seq, reason: "events from \(uncovered.seq) on are not covered by a signed checkpoint "
                        + "and are older than the signing interval of \(Int(interval)) s: checkpoints were deleted or signing stopped")
        }
        return .ok(AuditReport(events: lastSeq, lastCheckpoint: newest, unsignedTail: lastSeq - (newest?.count ?? 0)))
    }
}
