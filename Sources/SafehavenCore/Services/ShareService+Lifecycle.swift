import Foundation
import SafehavenCrypto

/// Destruction, expiry and sweeping: how share content leaves the system.
extension ShareService {
    // MARK: destruction

    /// Records one event against every addressee of a share.
    static func trackAll(_ type: TrackingType, share: Share, at now: Date, ids: any IDGenerator, in tx: any StoreWriter) async throws {
        for recipient in try await tx.recipients(shareID: share.id) {
            try await tx.insert(TrackingEvent(id: ids.next(), shareID: share.id, recipientID: recipient.id, type: type, at: now))
        }
    }

    /// Destroys a share's content: the wrapped key and sealed message are cleared in the database
    /// (without the key no copy of the blobs can be read), then the blobs are deleted.
    func destroy(_ share: Share, reason: String, actor: User?) async throws {
        var share = share
        guard share.destroyedAt == nil else { return }
        let now = deps.clock.now()
        share.destroyedAt = now
        share.wrappedKey = nil
        share.messageSealed = nil
        let ids = deps.ids
        let (files, exports): ([ShareFile], [ShareExport]) = try await deps.store.write { [share] tx in
            try await tx.updateLifecycle(of: share)
            let exports = try await tx.exports(shareID: share.id).filter { $0.destroyedAt == nil }
            try await tx.markExportsDestroyed(shareID: share.id, at: now)
            try await Self.trackAll(.destroyed, share: share, at: now, ids: ids, in: tx)
            try await tx.appendAudit(AuditEntry(.shareDestroyed, actor: actor?.id, organisation: share.senderOrganisationID,
                                                target: share.id, details: ["reason": reason]), at: now)
            return (try await tx.files(shareID: share.id), exports)
        }
        for file in files { try? deps.blobs.delete(id: file.blobID) }
        for export in exports { try? deps.blobs.delete(id: export.blobID) }
    }

    /// Background job: marks shares past expiry as expired and destroys their content.
    /// Returns how many were expired.
    @discardableResult
    public func expireDue() async throws -> Int {
        let now = deps.clock.now()
        let due = try await deps.store.read { try await $0.sharesDueForExpiry(at: now) }
        let ids = deps.ids
        for var share in due {
            share.expiredAt = share.expiredAt ?? now
            try await deps.store.write { [share] tx in
                try await tx.updateLifecycle(of: share)
                try await Self.trackAll(.expired, share: share, at: now, ids: ids, in: tx)
                try await tx.appendAudit(AuditEntry(.shareExpired, actor: nil, organisation: share.senderOrganisationID, target: share.id), at: now)
            }
            try await destroy(share, reason: "expired", actor: nil)
        }
        return due.count
    }

    /// Background job: deletes blobs no row refers to (left by a crash or a dropped upload) once
    /// they are older than `grace`, so an upload still in progress is never touched.
    @discardableResult
    public func sweepOrphans(grace: TimeInterval = 3600) async throws -> Int {
        let cutoff = deps.clock.now().addingTimeInterval(-grace)
        let busy = deps.inProgress.current
        let candidates = try deps.blobs.sweepCandidates(olderThan: cutoff).filter { !busy.contains($0) }
        var removed = try deps.blobs.removeAbandonedWrites(olderThan: cutoff, keeping: busy)
        guard !candidates.isEmpty else { return removed }
        let referenced = try await deps.store.read { try await $0.referencedBlobIDs() }
        // A blob whose upload committed while the list was being made is referenced by now, or
        // was still in progress a moment ago.
        let stillBusy = deps.inProgress.current
        for id in candidates where !referenced.contains(id) && !stillBusy.contains(id) {
            try deps.blobs.delete(id: id)
            removed += 1
        }
        return removed
    }
}
