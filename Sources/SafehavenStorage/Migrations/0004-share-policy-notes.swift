import Foundation

extension Migrations {
    static let sharePolicyNotes = Migration(version: 4, name: "share_policy_notes", statements: [
        "ALTER TABLE shares ADD COLUMN policy_notes TEXT",
    ])
}
