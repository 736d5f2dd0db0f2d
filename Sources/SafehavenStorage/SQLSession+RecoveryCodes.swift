import Foundation
import SafehavenCore
import SQLKit

extension SQLSession {
    func replaceRecoveryCodes(userID: String, hashes: [String]) async throws {
        try await db.raw("DELETE FROM recovery_codes WHERE user_id = \(bind: userID)").run()
        for hash in hashes {
            try await db.raw("INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(bind: userID), \(bind: hash))").run()
        }
    }

    func useRecoveryCode(userID: String, hash: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE recovery_codes SET used_at = \(bind: Millis.from(at))
            WHERE user_id = \(bind: userID) AND code_hash = \(bind: hash) AND used_at IS NULL RETURNING code_hash
            """).first() != nil
    }

    func unusedRecoveryCodes(userID: String) async throws -> Int {
        Int(try await db.raw("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = \(bind: userID) AND used_at IS NULL").first()?
            .int("n") ?? 0)
    }
}
