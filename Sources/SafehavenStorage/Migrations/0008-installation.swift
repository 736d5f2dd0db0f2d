import Foundation

extension Migrations {
    /// Facts about the installation itself, such as which keys its data was made with.
    static let installation = Migration(version: 8, name: "installation", statements: [
        "CREATE TABLE installation (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ])
}
