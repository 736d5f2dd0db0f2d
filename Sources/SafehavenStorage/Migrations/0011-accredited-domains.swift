import Foundation

extension Migrations {
    /// Organisations accredited to the secure email standard (DCB1596), as the administrator keeps them.
    static let accreditedDomains = Migration(version: 11, name: "accredited_domains", statements: [
        """
        CREATE TABLE accredited_domains (
            domain TEXT PRIMARY KEY, organisation TEXT NOT NULL, added_at BIGINT NOT NULL, source TEXT NOT NULL)
        """,
    ])
}
