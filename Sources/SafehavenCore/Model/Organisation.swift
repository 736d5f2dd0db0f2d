import Foundation

/// An organisation that takes part in sharing: a council, school, trust, force or charity.
public struct Organisation: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// Email domains its staff use, lower-case, without a trailing dot.
    public var domains: [String]
    /// Published switchboard number, used to call a person back and verify them.
    public var switchboard: String
    public var address: String
    public var createdAt: Date

    public init(id: String, name: String, domains: [String], switchboard: String, address: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.domains = domains
        self.switchboard = switchboard
        self.address = address
        self.createdAt = createdAt
    }
}
