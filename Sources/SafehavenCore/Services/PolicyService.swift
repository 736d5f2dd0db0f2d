import Foundation

/// The rules as the running service applies them: the configured profile (or a named one), with
/// every organisation in the directory added as its own network and watched for look-alikes.
public struct PolicyService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    /// The name of the profile the service runs with.
    public var profileInUse: String { deps.policy.name }

    /// The policy for `profile` (or the one in force) plus the directory.
    public func policy(_ profile: String? = nil) async throws -> RoutePolicy {
        var base = deps.policy
        if let profile {
            guard let named = BuiltInProfiles.named(profile) else {
                throw SafehavenError.invalid("profile", "Unknown profile; choose one of \(BuiltInProfiles.names.joined(separator: ", ")).")
            }
            base = named
        }
        let (organisations, accredited) = try await deps.store.read { (try await $0.organisations(), try await $0.accreditedDomains()) }
        return base.including(directory: organisations).including(accredited: accredited)
    }

    public func route(from: String, to: String, profile: String?) async throws -> RouteVerdict {
        try RouteEngine(policy: try await policy(profile)).evaluate(from: from, to: to)
    }

    public func advise(_ request: AdviceRequest, profile: String?) async throws -> Advice {
        try ChannelAdvisor(engine: RouteEngine(policy: try await policy(profile)), largeNumbers: deps.limits.largeNumbers).advise(request)
    }

    /// Personal data found in `text`, judged against today, with the identifiers of `organisationID`
    /// (the checking person's organisation) when given.
    public func check(_ text: String, names: [String], organisationID: String? = nil) async throws -> [PersonalDataFinding] {
        var patterns: [IdentifierPattern] = []
        if let organisationID { patterns = try await deps.store.read { try await $0.identifierPatterns(organisationID: organisationID) } }
        return PersonalDataScanner(names: names, today: deps.clock.now(), patterns: patterns).scan(text)
    }
}
