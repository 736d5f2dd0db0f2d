import Foundation
import SafehavenCrypto

/// Proves the audit chain has not been altered: every event's hash must follow from the one before,
/// sequence numbers must run 1, 2, 3… without gaps, and every signed checkpoint must match the
/// chain at its count. Reports the first event that breaks any of these.
public struct AuditVerifier: Sendable {
    let store: any Store
    let signer: CheckpointSigner

    public init(store: any Store, signer: CheckpointSigner) {
        self.store = store
        self.signer = signer
    }

    public enum Outcome: Equatable, Sendable {
        case ok(events: Int64, checkpoints: Int)
        case bad(seq: Int64, reason: String)
    }

    public func verify(pageSize: Int = 1000) async throws -> Outcome {
        let checkpoints = try await store.read { try await $0.auditCheckpoints() }
        for checkpoint in checkpoints where !signer.verify(count: checkpoint.count, headHex: checkpoint.headHash, signatureHex: checkpoint.signature) {
            return .bad(seq: checkpoint.count, reason: "the signed checkpoint at event \(checkpoint.count) has an invalid signature")
        }
        var expectedByCount: [Int64: String] = [:]
        for checkpoint in checkpoints { expectedByCount[checkpoint.count] = checkpoint.headHash }
        var previous = AuditChain.genesis
        var lastSeq: Int64 = 0
        while true {
            let after = lastSeq
            let page = try await store.read { try await $0.auditEvents(after: after, limit: pageSize) }
            if page.isEmpty { break }
            for event in page {
                let expectedSeq = lastSeq + 1
                if event.seq != expectedSeq {
                    return .bad(seq: expectedSeq, reason: "event \(expectedSeq) is missing (next stored event is \(event.seq))")
                }
                if event.previousHash != previous {
                    return .bad(seq: event.seq, reason: "event \(event.seq) does not link to the event before it")
                }
                let recomputed = AuditChain.next(previousHex: previous, fields: event.chainFields)
                if recomputed != event.hash {
                    return .bad(seq: event.seq, reason: "event \(event.seq) has been altered (its hash does not match its contents)")
                }
                if let signed = expectedByCount[event.seq], signed != event.hash {
                    return .bad(seq: event.seq, reason: "event \(event.seq) differs from the signed checkpoint: the chain was rewritten from here or earlier")
                }
                previous = event.hash
                lastSeq = event.seq
            }
        }
        if let highest = checkpoints.map(\.count).max(), highest > lastSeq {
            return .bad(seq: lastSeq + 1, reason: "the chain ends at event \(lastSeq) but a signed checkpoint covers \(highest) events: events were deleted")
        }
        return .ok(events: lastSeq, checkpoints: checkpoints.count)
    }
}
