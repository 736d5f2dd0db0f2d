import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in WAL mode with foreign keys on: one writer connection, serialised by a lock, and a few
/// read-only connections that read side by side (WAL lets readers run beside the writer and see
/// every committed transaction). Writers take the database lock up front (`BEGIN IMMEDIATE`) and
/// wait up to 10 s for another process (a CLI command beside a running server) to finish.
public final class SQLiteBackend: DatabaseBackend, Sendable {
    public let isPostgres = false
    private let connection: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Mutex(0)
    private let mutex = AsyncMutex()

    /// Read connections; reads are short, so a few keep both cores busy.
    static let readerCount = 3

    init(connection: SQLiteConnection, readers: [SQLiteConnection]) {
        self.connection = connection
        self.readers = readers
    }

    public static func open(path: String, logger: Logger) async throws -> SQLiteBackend {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = connection.sql()
        try await db.raw("PRAGMA busy_timeout = 10000").run()
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw("PRAGMA synchronous = FULL").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        // Deleted content is overwritten with zeros, in the page and in freed pages, so a
        // destroyed key leaves no copy in the file once the WAL is written back.
        try await db.raw("PRAGMA secure_delete = ON").run()
        var readers: [SQLiteConnection] = []
        do {
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                readers.append(reader)
                try await reader.sql().raw("PRAGMA busy_timeout = 10000").run()
                try await reader.sql().raw("PRAGMA query_only = ON").run()
            }
        } catch {
            for reader in readers { try? await reader.close() }
            try? await connection.close()
            throw error
        }
        return SQLiteBackend(connection: connection, readers: readers)
    }

    /// Reads go to the read-only connections in turn, without waiting for the writer.
    public func withSession<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.withLock { next in
            defer { next = (next + 1) % readers.count }
            return next
        }
        return try await body(readers[index].sql())
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = connection.sql()
        return try await mutex.withLock { try await runTransaction(on: db, begin: "BEGIN IMMEDIATE", body) }
    }

    public func withMigrationTransaction(_ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let db = connection.sql()
        try await mutex.withLock {
            // Only takes effect outside a transaction, hence before BEGIN.
            try await db.raw("PRAGMA foreign_keys = OFF").run()
            do {
                try await runTransaction(on: db, begin: "BEGIN IMMEDIATE") { db in
                    try await body(db)
                    let broken = try await db.raw("PRAGMA foreign_key_check").all()
                    guard broken.isEmpty else { throw StorageError.migrationFailed("\(broken.count) broken references") }
                }
            } catch {
                try? await db.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
            try await db.raw("PRAGMA foreign_keys = ON").run()
        }
    }

    /// Writes the WAL back into the database and truncates it, so no page image from before a
    /// deletion survives in it. Fails (to be retried) while a reader still needs an older page.
    public func reclaimDeleted() async throws {
        let db = connection.sql()
        try await mutex.withLock {
            let row = try await db.raw("PRAGMA wal_checkpoint(TRUNCATE)").first()
            if let busy = try row?.decode(column: "busy", as: Int.self), busy != 0 {
                throw StorageError.busy("the write-ahead log is still in use by a reader")
            }
        }
    }

    public func snapshot(to path: String) async throws {
        let db = connection.sql()
        try await mutex.withLock {
            try await db.raw("VACUUM INTO \(bind: path)").run()
        }
    }

    /// Closes every connection, even from a cancelled task (a failed test, a shutdown signal):
    /// the work runs detached so the caller's cancellation cannot skip it.
    public func close() async {
        let (readers, connection) = (self.readers, self.connection)
        await Task.detached {
            for reader in readers { try? await reader.close() }
            try? await connection.close()
        }.value
    }
}
