import Foundation

/// The register of disclosures as people may read it: an organisation's information governance
/// officers and administrators see their own organisation's entries and nobody else's.
public struct RegisterService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// Whether `user` may read their organisation's register.
    public static func canRead(_ user: User) -> Bool { user.has(.igOfficer) || user.has(.admin) }

    public func disclosures(for user: User) async throws -> [Disclosure] {
        guard Self.canRead(user) else {
            throw SafehavenError.forbidden("not_permitted", "Only information governance officers and administrators can read the register.")
        }
        let organisation = user.organisationID
        return try await deps.store.read { try await $0.disclosures(organisationID: organisation) }
    }
}
