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

    /// Destroys a share's content: the wrapped key and sealed message are deleted from the database
    /// (without the key no copy of the blobs can be read), then the blobs are deleted and the
    /// database is asked to leave no copy of the deleted rows behind. Only the first of several
    /// concurrent destructions records anything.
    func destroy(_ share: Share, reason: String, actor: User?, reclaim: Bool = true) async throws {
        guard share.destroyedAt == nil else { return }
        let now = deps.clock.now()
        let ids = deps.ids
        let outcome: ([ShareFile], [ShareExport])? = try await deps.store.write { tx in
            guard try await tx.destroyContent(shareID: share.id, at: now) else { return nil }
            let exports = try await tx.exports(shareID: share.id).filter { $0.destroyedAt == nil }
            try await tx.markExportsDestroyed(shareID: share.id, at: now)
            try await Self.trackAll(.destroyed, share: share, at: now, ids: ids, in: tx)
            try await tx.appendAudit(AuditEntry(.shareDestroyed, actor: actor?.id, organisation: share.senderOrganisationID,
                                                target: share.id, details: ["reason": reason]), at: now)
            return (try await tx.files(shareID: share.id), exports)
        }
        guard let (files, exports) = outcome else { return }
        for file in files { try? deps.blobs.delete(id: file.blobID) }
        for export in exports { try? deps.blobs.delete(id: export.blobID) }
        if reclaim { await reclaimDestroyed() }
    }

    /// Asks the database to drop every copy of destroyed rows (SQLite: a truncating WAL checkpoint;
    /// PostgreSQL: vacuum of the secrets table). Retried by the background job if it cannot finish.
    func reclaimDestroyed() async {
        try? await deps.store.reclaimDestroyed()
    }

    /// Background job: marks shares past expiry as expired and destroys their content.
    /// Returns how many were expired.
    @discardableResult
    public func expireDue() async throws -> Int {
        let now = deps.clock.now()
        let due = try await deps.store.read { try await $0.sharesDueForExpiry(at: now) }
        let ids = deps.ids
        var expired = 0
        for share in due {
            let marked = try await deps.store.write { tx in
                guard try await tx.markExpired(shareID: share.id, at: now) else { return false }
                try await Self.trackAll(.expired, share: share, at: now, ids: ids, in: tx)
                try await tx.appendAudit(AuditEntry(.shareExpired, actor: nil, organisation: share.senderOrganisationID, target: share.id), at: now)
                return true
            }
            if marked { expired += 1 }
            // Also when it was revoked meanwhile (the revoke destroys it first; this then does nothing)
            // or expired earlier without its content destroyed.
            try await destroy(share, reason: share.revokedAt == nil ? "expired" : "revoked", actor: nil, reclaim: false)
        }
        if !due.isEmpty { await reclaimDestroyed() }
        return expired
    }

    /// After a restore: destroys the content of every share one of whose blobs is not among
    /// `present` (it was destroyed while the backup was being made). Returns how many.
    public func destroyContentMissingFrom(_ present: Set<String>, reason: String) async throws -> Int {
        let missing = Set(try await deps.store.read { try await $0.liveFileBlobs() }.filter { !present.contains($0.blobID) }.map(\.shareID))
        for id in missing.sorted() {
            guard let share = try await deps.store.read({ try await $0.share(id: id) }) else { continue }
            try await destroy(share, reason: reason, actor: nil, reclaim: false)
        }
        if !missing.isEmpty { await reclaimDestroyed() }
        return missing.count
    }

    /// Background job: deletes blobs no row refers to (left by a crash or a dropped upload) once
    /// they are older than `grace`, so an upload still in progress is never touched.
    @discardableResult
    public func sweepOrphans(grace: TimeInterval = 3600) async throws -> Int {
        let cutoff = deps.clock.now().addingTimeInterval(-grace)
        let busy = deps.inProgress.current
        let candidates = try deps.blobs.sweepCandidates(olderThan: cutoff).filter { !busy.contains($0) }
        var removed = try deps.blobs.removeAbandonedWrites(olderThan: cutoff, keeping: busy)
        let uploadFiles = try deps.blobs.uploadFiles(olderThan: cutoff)
        guard !candidates.isEmpty || !uploadFiles.isEmpty else { return removed }
        // Resumable uploads keep their bytes (still arriving, or whole and waiting in a draft).
        // Uploads first: a draft sent between the two reads is then in one list or the other.
        let (uploading, referenced) = try await deps.store.read { store in
            let uploading = try await store.uploadBlobIDs()
            return (uploading, try await store.referencedBlobIDs())
        }
        for id in uploadFiles where !uploading.contains(id) {
            try deps.blobs.deleteUpload(id: id)
            removed += 1
        }
        // A blob whose upload committed while the list was being made is referenced by now, or
        // was still in progress a moment ago.
        let stillBusy = deps.inProgress.current
        for id in candidates where !referenced.contains(id) && !uploading.contains(id) && !stillBusy.contains(id) {
            try deps.blobs.delete(id: id)
            removed += 1
        }
        return removed
    }
}

extension ShareService {
    /// Reminds each addressee who has not opened a share that it expires within a day. Run by
    /// the background jobs; each reminder is queued once (its dedupe key), however often this runs.
    @discardableResult
    public func queueExpiryReminders(within hours: Double = 24) async throws -> Int {
        let now = deps.clock.now()
        let ids = deps.ids
        return try await deps.store.write { tx in
            var queued = 0
            for share in try await tx.sharesExpiring(after: now, before: now.addingTimeInterval(hours * 3600)) {
                let events = try await tx.tracking(shareID: share.id)
                for recipient in try await tx.recipients(shareID: share.id) where recipient.deletedAt == nil {
                    let opened = events.contains { $0.recipientID == recipient.id && $0.type == .opened }
                    if !opened, try await tx.enqueue(Notifications.expiring(share, to: recipient, ids: ids, at: now)) { queued += 1 }
                }
            }
            return queued
        }
    }
}
