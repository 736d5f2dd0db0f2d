import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization

/// Counts the statements a store sends, so tests can prove that a page of a list costs a constant
/// number of queries however many rows there are.
public final class QueryCounter: Sendable {
    private let count = Mutex(0)

    public init() {}

    public var value: Int { count.withLock { $0 } }

    public func reset() { count.withLock { $0 = 0 } }

    func increment() { count.withLock { $0 += 1 } }
}

/// A database that counts each statement before passing it on unchanged.
struct CountingDatabase: SQLDatabase {
    let base: any SQLDatabase
    let counter: QueryCounter

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        counter.increment()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        counter.increment()
        try await base.execute(sql: query, onRow)
    }
}
