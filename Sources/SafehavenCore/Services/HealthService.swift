import Foundation

/// Whether the service can do its work, for load balancers and operators.
public struct HealthService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// Throws when the database cannot be read.
    public func checkDatabase() async throws {
        _ = try await deps.store.read { try await $0.userCount() }
    }
}
