import Foundation
import SafehavenCore
import SafehavenCrypto
import SQLKit

/// The one SQL implementation of Safehaven's store, for SQLite and PostgreSQL alike. Queries are
/// split by aggregate into `SQLSession+….swift` files.
public struct SQLStore: Store {
    public let backend: any DatabaseBackend
    /// When set, every statement is counted (tests of query budgets).
    let counter: QueryCounter?

    public init(backend: any DatabaseBackend, counter: QueryCounter? = nil) {
        self.backend = backend
        self.counter = counter
    }

    private func session(_ db: any SQLDatabase) -> SQLSession {
        SQLSession(db: counter.map { CountingDatabase(base: db, counter: $0) } ?? db, isPostgres: backend.isPostgres)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        let store = self
        return try await backend.withSession { db in try await body(store.session(db)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) async throws -> T) async throws -> T {
        let store = self
        return try await backend.withTransaction { db in try await body(store.session(db)) }
    }

    public func probeWrite(at: Date) async throws {
        try await backend.withTransaction { db in
            try await db.raw("""
                INSERT INTO installation (name, value) VALUES ('health_probe', \(bind: String(Millis.from(at))))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """).run()
        }
    }

    public func reclaimDestroyed() async throws {
        try await backend.reclaimDeleted()
    }

    /// The first column of the first row of a raw query as a number; for tests and operator tools only.
    public func count(_ sql: String) async throws -> Int64 {
        try await backend.withSession { db in
            guard let row = try await db.raw(SQLQueryString(sql)).first(), let column = row.allColumns.first else { return 0 }
            return try row.decode(column: column, as: Int64.self)
        }
    }

    /// Runs raw SQL; for tests that tamper with rows and for operator tools only.
    public func execute(_ sql: String) async throws {
        try await backend.withTransaction { db in try await db.raw(SQLQueryString(sql)).run() }
    }
}

/// One database session (inside a transaction when writing).
struct SQLSession: StoreWriter {
    let db: any SQLDatabase
    let isPostgres: Bool
}

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func bool(_ column: String) throws -> Bool { try int(column) != 0 }
    func date(_ column: String) throws -> Date { Millis.date(try int(column)) }
    func optionalDate(_ column: String) throws -> Date? { Millis.date(try optionalInt(column)) }
}

extension Bool {
    var flag: Int64 { self ? 1 : 0 }
}
