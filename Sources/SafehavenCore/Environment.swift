import Foundation

/// The current time. Production reads the system clock; tests inject a clock they move by hand,
/// so expiry, lock-outs and TOTP are checked without waiting.
public protocol Clock: Sendable {
    func now() -> Date
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Identifiers for new rows. Production uses random UUIDs; tests use a counter.
public protocol IDGenerator: Sendable {
    func next() -> String
}

public struct UUIDGenerator: IDGenerator {
    public init() {}
    public func next() -> String { UUID().uuidString.lowercased() }
}
