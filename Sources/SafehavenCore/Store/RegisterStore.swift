import Foundation

/// The register of disclosures.
public protocol RegisterReading: Sendable {
    func disclosures(organisationID: String) async throws -> [Disclosure]
    /// The entries one share wrote, oldest first.
    func disclosures(shareID: String) async throws -> [Disclosure]
    func disclosure(id: String) async throws -> Disclosure?
}

public protocol RegisterWriting: RegisterReading {
    func insert(_ disclosure: Disclosure) async throws
}
