import Foundation
import SQLKit

/// What the database remembers about the installation it belongs to: the ids of the keys its
/// data was made with, so a wrong or missing key is caught at start rather than at the first
/// share that will not open.
public struct InstallationRecord: Sendable {
    let backend: any DatabaseBackend

    public init(backend: any DatabaseBackend) { self.backend = backend }

    public struct Keys: Sendable, Equatable {
        public var kekID: String?
        public var auditPublicKey: String?
    }

    public func keys() async throws -> Keys {
        try await backend.withSession { db in
            let rows = try await db.raw("SELECT name, value FROM installation WHERE name IN ('kek_id', 'audit_public_key')").all()
            var keys = Keys()
            for row in rows {
                let value = try row.decode(column: "value", as: String.self)
                switch try row.decode(column: "name", as: String.self) {
                case "kek_id": keys.kekID = value
                default: keys.auditPublicKey = value
                }
            }
            return keys
        }
    }

    /// Whether anything has been stored yet (any organisation, user or share).
    public func holdsData() async throws -> Bool {
        try await backend.withSession { db in
            // The organisation for people invited from outside comes with the schema (migration 17).
            try await db.raw("SELECT 1 AS x FROM organisations WHERE id <> 'external' UNION ALL SELECT 1 AS x FROM shares LIMIT 1").first() != nil
        }
    }

    /// Records the keys' ids; a value already recorded is left as it is.
    public func record(kekID: String, auditPublicKey: String) async throws {
        try await backend.withTransaction { db in
            for (name, value) in [("kek_id", kekID), ("audit_public_key", auditPublicKey)] {
                let existing = try await db.raw("SELECT value FROM installation WHERE name = \(bind: name)").first()
                if existing == nil {
                    try await db.raw("INSERT INTO installation (name, value) VALUES (\(bind: name), \(bind: value))").run()
                }
            }
        }
    }

    /// After a completed rotation: the data is now made with this key-encryption key.
    public func replaceKEK(id: String) async throws {
        try await backend.withTransaction { db in
            try await db.raw("""
                INSERT INTO installation (name, value) VALUES ('kek_id', \(bind: id))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """).run()
        }
    }
}
