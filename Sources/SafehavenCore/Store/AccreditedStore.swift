import Foundation

/// An organisation's domain accredited to the secure email standard (DCB1596).
public struct AccreditedDomain: Codable, Equatable, Sendable {
    public var domain: String
    public var organisation: String
    public var addedAt: Date
    /// Where the entry came from (`csv:FILE`, `cli`).
    public var source: String

    public init(domain: String, organisation: String, addedAt: Date, source: String) {
        self.domain = domain
        self.organisation = organisation
        self.addedAt = addedAt
        self.source = source
    }
}

public protocol AccreditedReading: Sendable {
    func accreditedDomains() async throws -> [AccreditedDomain]
}

public protocol AccreditedWriting: AccreditedReading {
    func upsert(_ accredited: AccreditedDomain) async throws
    func removeAccredited(domain: String) async throws -> Bool
}
