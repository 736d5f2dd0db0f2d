import Foundation

/// Shares, their addressees, files and tracking.
public protocol ShareReading: Sendable {
    func share(id: String) async throws -> Share?
    func recipients(shareID: String) async throws -> [Recipient]
    func files(shareID: String) async throws -> [ShareFile]
    func tracking(shareID: String) async throws -> [TrackingEvent]
    /// One page of an inbox or sent list, with its total: a constant number of queries whatever
    /// the page size or the number of shares.
    func shares(_ query: ShareListQuery) async throws -> ShareListPage
    /// Shares past their expiry whose content still exists.
    func sharesDueForExpiry(at now: Date) async throws -> [Share]
    /// Every blob id a file row or a live export still refers to.
    func referencedBlobIDs() async throws -> Set<String>
}

public protocol ShareWriting: ShareReading {
    func insert(_ share: Share) async throws
    /// Saves the lifecycle columns of a share: revoked, expired, destroyed, and clears the
    /// key and message when they are nil.
    func updateLifecycle(of share: Share) async throws
    func insert(_ recipient: Recipient) async throws
    func updateState(of recipient: Recipient) async throws
    func insert(_ file: ShareFile) async throws
    func insert(_ event: TrackingEvent) async throws
}
