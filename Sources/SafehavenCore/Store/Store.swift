import Foundation

/// Reads from the database. Implemented once in SQL (SafehavenStorage) for SQLite and PostgreSQL.
public protocol StoreReader: Sendable {
    func organisation(id: String) async throws -> Organisation?
    func organisation(domain: String) async throws -> Organisation?
    func organisations() async throws -> [Organisation]

    func user(id: String) async throws -> User?
    func user(email: String) async throws -> User?
    func userCount() async throws -> Int64

    func token(hash: String) async throws -> AccessToken?

    func share(id: String) async throws -> Share?
    func recipients(shareID: String) async throws -> [Recipient]
    func files(shareID: String) async throws -> [ShareFile]
    func tracking(shareID: String) async throws -> [TrackingEvent]
    /// Shares addressed to the user that they have not deleted, newest first.
    func inbox(userID: String) async throws -> [Share]
    /// Shares the user sent, newest first.
    func sent(userID: String) async throws -> [Share]
    /// Shares past their expiry whose content still exists.
    func sharesDueForExpiry(at now: Date) async throws -> [Share]
    /// Every blob id a file row still refers to.
    func referencedBlobIDs() async throws -> Set<String>

    func disclosures(organisationID: String) async throws -> [Disclosure]
    func exports(shareID: String) async throws -> [ShareExport]
    func export(id: String) async throws -> ShareExport?
    func partnerPasswords(organisationID: String) async throws -> [PartnerPassword]
    func partnerPassword(id: String) async throws -> PartnerPassword?
    /// Current partner passwords whose rotation date has passed, across all organisations.
    func partnerPasswordsDue(at now: Date) async throws -> [PartnerPassword]

    func auditCount() async throws -> Int64
    /// Events with `seq` greater than `after`, in order, at most `limit`.
    func auditEvents(after: Int64, limit: Int) async throws -> [AuditEvent]
    func auditCheckpoints() async throws -> [AuditCheckpoint]
}

/// Writes, always inside one transaction. `appendAudit` joins the same transaction, so an action
/// and its audit record are committed together or not at all.
public protocol StoreWriter: StoreReader {
    func insert(_ organisation: Organisation) async throws
    func insert(_ user: User) async throws
    /// Saves the security state of a user: password, lock-out counters, TOTP.
    func updateSecurity(of user: User) async throws
    func insert(_ token: AccessToken) async throws
    func revokeToken(id: String, at: Date) async throws

    func insert(_ share: Share) async throws
    /// Saves the lifecycle columns of a share: revoked, expired, destroyed, and clears the
    /// key and message when they are nil.
    func updateLifecycle(of share: Share) async throws
    func insert(_ recipient: Recipient) async throws
    func updateState(of recipient: Recipient) async throws
    func insert(_ file: ShareFile) async throws
    func insert(_ event: TrackingEvent) async throws
    func insert(_ disclosure: Disclosure) async throws
    func insert(_ export: ShareExport) async throws
    func markExportsDestroyed(shareID: String, at: Date) async throws
    func insert(_ password: PartnerPassword) async throws
    func retirePartnerPassword(id: String, at: Date) async throws

    @discardableResult
    func appendAudit(_ entry: AuditEntry, at: Date) async throws -> AuditEvent
}

/// The database as a whole.
public protocol Store: Sendable {
    /// Runs `body` with a reader; no transaction is promised.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: everything it writes commits together, or nothing does.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T
}

/// Where sealed bytes live. Blobs are written whole before the rows that refer to them commit,
/// so a crash leaves at most an orphan blob (swept later), never a row without its content.
public protocol BlobStore: Sendable {
    /// Starts writing a blob; nothing is visible until `commit`.
    func makeWriter(id: String) throws -> any BlobWriter
    /// Opens a committed blob for reading.
    func openReader(id: String) throws -> any BlobReader
    func delete(id: String) throws
    /// Committed blobs last modified before `date`, and abandoned partial writes older than it.
    func sweepCandidates(olderThan date: Date) throws -> [String]
    func removeAbandonedWrites(olderThan date: Date) throws -> Int
}

public protocol BlobWriter: AnyObject {
    func write(_ bytes: [UInt8]) throws
    /// Flushes to disk and makes the blob visible atomically.
    func commit() throws
    /// Discards a partial write.
    func abort()
}

public protocol BlobReader: AnyObject {
    /// Up to `max` bytes; an empty array at the end.
    func read(max: Int) throws -> [UInt8]
    func close()
}
