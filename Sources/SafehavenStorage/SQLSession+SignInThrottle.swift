import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func throttle(key: String) async throws -> ThrottleState? {
        try await db.raw("SELECT * FROM sign_in_throttle WHERE key = \(bind: key)").first().map { row in
            ThrottleState(failures: Int(try row.int("failures")), lastFailedAt: try row.optionalDate("last_failed_at"),
                          lockedUntil: try row.optionalDate("locked_until"))
        }
    }

    func countAttempt(key: String, seen: Int?, at: Date) async throws -> Bool {
        let now = Millis.from(at)
        guard let seen else {
            return try await db.raw("""
                INSERT INTO sign_in_throttle (key, failures, last_failed_at) VALUES (\(bind: key), 1, \(bind: now))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """).first() != nil
        }
        // Every attempt counted, lock or success changes the count, so an unchanged count means
        // nothing has happened since the decision was made.
        return try await db.raw("""
            UPDATE sign_in_throttle SET failures = failures + 1, last_failed_at = \(bind: now)
            WHERE key = \(bind: key) AND failures = \(bind: Int64(seen)) AND (locked_until IS NULL OR locked_until <= \(bind: now))
            RETURNING key
            """).first() != nil
    }

    func lockThrottle(key: String, until: Date, ifFailuresAtLeast failures: Int) async throws -> Bool {
        try await db.raw("""
            UPDATE sign_in_throttle SET locked_until = \(bind: Millis.from(until)), failures = 0
            WHERE key = \(bind: key) AND failures >= \(bind: Int64(failures)) RETURNING key
            """).first() != nil
    }

    func clearThrottle(keys: [String]) async throws {
        for key in keys { try await db.raw("DELETE FROM sign_in_throttle WHERE key = \(bind: key)").run() }
    }

    func uncountAttempt(key: String) async throws {
        try await db.raw("""
            UPDATE sign_in_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END WHERE key = \(bind: key)
            """).run()
    }

    @discardableResult
    func pruneThrottle(before: Date) async throws -> Int {
        let cutoff = Millis.from(before)
        return try await db.raw("""
            DELETE FROM sign_in_throttle WHERE (last_failed_at IS NULL OR last_failed_at < \(bind: cutoff))
                AND (locked_until IS NULL OR locked_until < \(bind: cutoff)) RETURNING key
            """).all().count
    }
}
