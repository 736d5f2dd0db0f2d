import Foundation

extension Migrations {
    /// Each organisation's own identifiers (hospital numbers, case references) as patterns its
    /// administrator sets, for the subject and name checks.
    static let identifierPatterns = Migration(version: 12, name: "identifier_patterns", statements: [
        """
        CREATE TABLE identifier_patterns (
            organisation_id TEXT NOT NULL REFERENCES organisations(id), name TEXT NOT NULL, pattern TEXT NOT NULL,
            PRIMARY KEY (organisation_id, name))
        """,
    ])
}
