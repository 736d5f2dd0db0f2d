import Foundation

extension Migrations {
    /// The register holds more than Safehaven's own shares: disclosures made another way (with the
    /// channel's checklist confirmed), decisions not to share, information received, and
    /// corrections that point at the entry they correct (entries are never changed).
    static let registerEntries = Migration(version: 18, name: "register_entries", statements: [
        "ALTER TABLE disclosures ADD COLUMN kind TEXT NOT NULL DEFAULT 'disclosure'",
        "ALTER TABLE disclosures ADD COLUMN corrects TEXT",
        "ALTER TABLE disclosures ADD COLUMN confirmations TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE disclosures ADD COLUMN team TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX disclosures_recorder ON disclosures(recorded_by, at)",
    ])
}
