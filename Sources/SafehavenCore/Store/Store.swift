import Foundation

/// Everything a use case may read, composed from one small protocol per aggregate. Implemented
/// once in SQL (SafehavenStorage) for SQLite and PostgreSQL.
public protocol StoreReader: DirectoryReading, ShareReading, RegisterReading, ExportReading, PartnerPasswordReading, AuditReading,
    KeyMaterialReading, AccreditedReading, IdentifierPatternReading, OutboxReading, InvitationReading, RecordReading, UploadReading {}

/// Everything a use case may write, always inside one transaction.
public protocol StoreWriter: StoreReader, DirectoryWriting, ShareWriting, RegisterWriting, ExportWriting, PartnerPasswordWriting,
    AuditWriting, SignInThrottleWriting, KeyMaterialWriting, AccreditedWriting,
    IdentifierPatternWriting, OutboxWriting, InvitationWriting, RecordWriting, UploadWriting {}

/// The database as a whole.
public protocol Store: Sendable {
    /// Runs `body` with a reader; no transaction is promised.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: everything it writes commits together, or nothing does.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T
    /// Leaves no copy of deleted rows in the database's files where the engine allows: SQLite
    /// writes its WAL back and truncates it (deleted content is already zeroed by `secure_delete`);
    /// PostgreSQL vacuums the table of share secrets. Outside any transaction.
    func reclaimDestroyed() async throws
    /// A write that changes nothing of substance, to prove the database accepts writes.
    func probeWrite(at: Date) async throws
}
