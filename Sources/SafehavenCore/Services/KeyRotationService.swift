import Foundation
import SafehavenCrypto

/// Re-wraps every data key and re-seals every secret under a new key-encryption key, without
/// touching a single blob. Each value is checked first, so an interrupted rotation resumes where
/// it stopped: what already opens under the new key is left alone.
public struct KeyRotationService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public struct Outcome: Sendable, Equatable {
        public var checked = 0
        public var rewrapped = 0
        public init() {}
    }

    /// - Parameter ring: the new key, able to open with the old ones (`new.replacing(old)`).
    public func rewrap(using ring: KeyEncryptionKey, pageSize: Int = 500) async throws -> Outcome {
        var outcome = Outcome()
        let random = deps.random
        for kind in SealedValue.Kind.allCases {
            var after = ""
            while true {
                let from = after
                let page = try await deps.store.read { try await $0.sealedValues(kind, after: from, limit: pageSize) }
                guard let last = page.last else { break }
                var changes: [(SealedValue, String)] = []
                for value in page {
                    outcome.checked += 1
                    if let context = value.context {
                        if ring.sealsDirectly(value.value, context: context) { continue }
                        let plain = try ring.openSecret(value.value, context: context)
                        changes.append((SealedValue(kind: kind, id: value.id, value: try ring.sealSecret(plain, context: context, random: random)),
                                        value.value))
                    } else {
                        if ring.wrapsDirectly(value.value) { continue }
                        changes.append((SealedValue(kind: kind, id: value.id, value: try ring.wrap(try ring.unwrap(value.value))), value.value))
                    }
                }
                let pending = changes
                let done = try await deps.store.write { tx in
                    var count = 0
                    for (value, expected) in pending where try await tx.replaceSealedValue(value, expected: expected) { count += 1 }
                    return count
                }
                outcome.rewrapped += done
                after = last.id
            }
        }
        return outcome
    }

    /// How many values still need an older key (zero once a rotation is complete).
    public func remaining(for ring: KeyEncryptionKey) async throws -> Int {
        var count = 0
        for kind in SealedValue.Kind.allCases {
            var after = ""
            while true {
                let from = after
                let page = try await deps.store.read { try await $0.sealedValues(kind, after: from, limit: 1000) }
                guard let last = page.last else { break }
                count += page.filter { value in
                    value.context.map { !ring.sealsDirectly(value.value, context: $0) } ?? !ring.wrapsDirectly(value.value)
                }.count
                after = last.id
            }
        }
        return count
    }

    /// Records the rotation in the audit trail.
    public func audit(from oldID: String, to newID: String, outcome: Outcome) async throws {
        let now = deps.clock.now()
        _ = try await deps.store.write { tx in
            try await tx.appendAudit(AuditEntry(.keysRotated, actor: nil, organisation: nil, target: nil, details: [
                "from": oldID, "to": newID, "checked": String(outcome.checked), "rewrapped": String(outcome.rewrapped),
            ]), at: now)
        }
    }
}
