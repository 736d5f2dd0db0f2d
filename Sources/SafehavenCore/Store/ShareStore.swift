import Foundation

/// Shares, their addressees, files and tracking.
public protocol ShareReading: Sendable {
    func share(id: String) async throws -> Share?
    func recipients(shareID: String) async throws -> [Recipient]
    func files(shareID: String) async throws -> [ShareFile]
    func tracking(shareID: String) async throws -> [TrackingEvent]
    /// The shares of one conversation that this person sent or was sent, oldest first.
    func thread(_ threadID: String, visibleTo userID: String) async throws -> [Share]
    /// Active shares (not withdrawn or destroyed) whose expiry falls between the two times.
    func sharesExpiring(after: Date, before: Date) async throws -> [Share]
    /// Whether this person has ever sent a share to this address (the misdirection guard).
    func hasSent(from userID: String, to email: String) async throws -> Bool
    /// One page of an inbox or sent list, with its total: a constant number of queries whatever
    /// the page size or the number of shares.
    func shares(_ query: ShareListQuery) async throws -> ShareListPage
    /// Shares past their expiry whose content still exists.
    func sharesDueForExpiry(at now: Date) async throws -> [Share]
    /// Every blob id a file row or a live export still refers to.
    func referencedBlobIDs() async throws -> Set<String>
    /// The blob of every file of every share whose content still exists.
    func liveFileBlobs() async throws -> [(shareID: String, blobID: String)]
}

public protocol ShareWriting: ShareReading {
    func insert(_ share: Share) async throws
    /// The share, locked against concurrent revoke, expiry and destruction until the transaction ends.
    func shareForUpdate(id: String) async throws -> Share?
    /// Each lifecycle step changes only what it names, and only once: true when this call made
    /// the change. No step ever writes a key back, so a race cannot bring destroyed content back.
    /// Marks a live share revoked; false if it was already revoked, expired (or past expiry) or destroyed.
    /// Clears `held` once a manager authorises the share; false if it was not held (or was withdrawn).
    func release(shareID: String) async throws -> Bool
    func markRevoked(shareID: String, at: Date) async throws -> Bool
    /// Marks expiry unless the share was already revoked, expired or destroyed.
    func markExpired(shareID: String, at: Date) async throws -> Bool
    /// Sets `destroyed_at` and deletes the wrapped key and sealed message.
    func destroyContent(shareID: String, at: Date) async throws -> Bool
    func insert(_ recipient: Recipient) async throws
    func updateState(of recipient: Recipient) async throws
    func insert(_ file: ShareFile) async throws
    func insert(_ event: TrackingEvent) async throws
}
