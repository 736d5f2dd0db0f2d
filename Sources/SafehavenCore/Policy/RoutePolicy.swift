import Foundation
import Yams

/// An administrator's description of which email routes are secure, loaded from a JSON file (see
/// docs/policy.md). Built-in profiles use the same model.
public struct RoutePolicy: Codable, Equatable, Sendable {
    public var name: String
    public var description: String
    /// Where the profile's facts come from.
    public var sources: [String]
    /// Each organisation's own network: mail between two of its domains never leaves it.
    public var networks: [Network]
    /// Groups of domain suffixes whose members exchange mail over an accredited network.
    public var communities: [Community]
    /// Relays reached by appending a suffix to a registered address (CJSM).
    public var relays: [Relay]
    /// Direct secure connections between two named organisations.
    public var links: [Link]
    /// Domains that were once secure and are no longer.
    public var retired: [Retired]
    /// Other domains to protect from look-alikes (partners, commonly imitated domains).
    public var watched: [String]
    /// Channels the source document forbids, with its reason (the advisor removes them).
    public var prohibited: [Prohibition] = []
    /// Encrypted email services the document names for mail to addresses not on a secure route.
    public var encryptionServices: [String] = []

    public struct Prohibition: Codable, Equatable, Sendable {
        /// A `Channel` raw value, e.g. `encrypted-archive`.
        public var channel: String
        public var reason: String
    }

    public struct Network: Codable, Equatable, Sendable {
        public var name: String
        public var domains: [String]
    }

    public struct Community: Codable, Equatable, Sendable {
        public var name: String
        public var suffixes: [String]
        /// When set, one end must be under this suffix (a hub, such as NHSmail, talking to the
        /// others); when nil, any two members may exchange.
        public var hub: String?
        public var note: String?
    }

    public struct Relay: Codable, Equatable, Sendable {
        public var name: String
        /// The suffix appended to a registered address, e.g. `cjsm.net` in `a@nhs.net.cjsm.net`.
        public var suffix: String
        /// Domains whose users are registered with the relay and may send into it.
        public var registered: [String]
        /// Domains that count as secure systems able to send into the relay (as well as registered ones).
        public var secureSenders: [String]
        public var note: String?
        /// Shared namespaces whose organisations can register with the relay (for example `gov.uk`):
        /// a relay address in front of one is accepted with a warning to check the registration.
        /// Anything else in front of the suffix (`gmail.com.cjsm.net`) is never trusted.
        public var registrable: [String] = []

        public init(name: String, suffix: String, registered: [String], secureSenders: [String], note: String? = nil,
                    registrable: [String] = []) {
            self.name = name
            self.suffix = suffix
            self.registered = registered
            self.secureSenders = secureSenders
            self.note = note
            self.registrable = registrable
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            suffix = try c.decode(String.self, forKey: .suffix)
            registered = try c.decodeIfPresent([String].self, forKey: .registered) ?? []
            secureSenders = try c.decodeIfPresent([String].self, forKey: .secureSenders) ?? []
            note = try c.decodeIfPresent(String.self, forKey: .note)
            registrable = try c.decodeIfPresent([String].self, forKey: .registrable) ?? []
        }
    }

    public struct Link: Codable, Equatable, Sendable {
        public var name: String
        public var from: [String]
        public var to: [String]
        public var note: String?
    }

    public struct Retired: Codable, Equatable, Sendable {
        public var suffix: String
        public var since: String
        public var note: String
    }

    public init(name: String, description: String, sources: [String] = [], networks: [Network] = [],
                communities: [Community] = [], relays: [Relay] = [], links: [Link] = [], retired: [Retired] = [],
                watched: [String] = [], prohibited: [Prohibition] = [], encryptionServices: [String] = []) {
        self.prohibited = prohibited
        self.encryptionServices = encryptionServices
        self.name = name
        self.description = description
        self.sources = sources
        self.networks = networks
        self.communities = communities
        self.relays = relays
        self.links = links
        self.retired = retired
        self.watched = watched
    }

    // Every list may be left out of a file.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        sources = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
        networks = try c.decodeIfPresent([Network].self, forKey: .networks) ?? []
        communities = try c.decodeIfPresent([Community].self, forKey: .communities) ?? []
        relays = try c.decodeIfPresent([Relay].self, forKey: .relays) ?? []
        links = try c.decodeIfPresent([Link].self, forKey: .links) ?? []
        retired = try c.decodeIfPresent([Retired].self, forKey: .retired) ?? []
        watched = try c.decodeIfPresent([String].self, forKey: .watched) ?? []
        prohibited = try c.decodeIfPresent([Prohibition].self, forKey: .prohibited) ?? []
        encryptionServices = try c.decodeIfPresent([String].self, forKey: .encryptionServices) ?? []
    }

    /// The policy plus the organisations in Safehaven's directory: each one's own registrable
    /// domains form its network (mail between two of them stays inside), and all are watched for
    /// look-alikes. Shared services (`nhs.net`), free mail and public namespaces never form one
    /// organisation's network, even if an older installation let them in. Rules the policy
    /// itself gives come first.
    public func including(directory organisations: [Organisation]) -> RoutePolicy {
        var copy = self
        for org in organisations {
            let own = org.domains.filter(DomainKinds.isOwn)
            if !own.isEmpty { copy.networks.append(Network(name: org.name, domains: own)) }
            copy.watched += own
        }
        return copy
    }

    /// The policy plus the administrator's list of organisations accredited to the secure email
    /// standard: they join the policy's DCB1596 community (or form one, with NHSmail, if the
    /// policy has none), and are watched for look-alikes.
    public func including(accredited: [AccreditedDomain]) -> RoutePolicy {
        guard !accredited.isEmpty else { return self }
        var copy = self
        let domains = accredited.map(\.domain)
        if let index = copy.communities.firstIndex(where: { $0.name.contains("DCB1596") }) {
            copy.communities[index].suffixes += domains
        } else {
            copy.communities.append(Community(name: "Secure email standard (DCB1596)", suffixes: ["nhs.net"] + domains, hub: nil,
                                              note: "Organisations your administrator lists as accredited to the secure email standard."))
        }
        copy.watched += domains
        return copy
    }

    /// Every domain the policy names, for look-alike checks.
    public var knownDomains: [String] {
        var all = networks.flatMap(\.domains) + communities.flatMap(\.suffixes) + relays.map(\.suffix)
            + relays.flatMap(\.registered) + links.flatMap { $0.from + $0.to } + retired.map(\.suffix) + watched
        all = all.map(DomainMatch.canonical)
        var seen = Set<String>()
        return all.filter { seen.insert($0).inserted }
    }

    /// Reads and checks a JSON policy, with errors that say where the problem is.
    public static func load(json data: Data) throws -> RoutePolicy {
        try decode(format: "JSON") { try JSONDecoder().decode(RoutePolicy.self, from: data) }
    }

    /// Reads and checks a YAML policy (the same fields as JSON).
    public static func load(yaml text: String) throws -> RoutePolicy {
        try decode(format: "YAML") { try YAMLDecoder().decode(RoutePolicy.self, from: text) }
    }

    /// JSON when the file starts with `{`, YAML otherwise.
    public static func load(file data: Data) throws -> RoutePolicy {
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "{" { return try load(json: data) }
        return try load(yaml: text)
    }

    private static func decode(format: String, _ body: () throws -> RoutePolicy) throws -> RoutePolicy {
        let policy: RoutePolicy
        do {
            policy = try body()
        } catch DecodingError.keyNotFound(let key, let context) {
            throw PolicyError("missing '\(key.stringValue)' at \(path(context.codingPath))")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw PolicyError("wrong type at \(path(context.codingPath))")
        } catch {
            throw PolicyError("the policy file is not valid \(format)")
        }
        try policy.validate()
        return policy
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        codingPath.isEmpty ? "the top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// Every domain must be a valid domain name; names must not be empty.
    public func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw PolicyError("the policy needs a name") }
        func check(_ domains: [String], _ place: String) throws {
            for domain in domains {
                do { _ = try EmailAddress.normaliseDomain(domain) } catch {
                    throw PolicyError("'\(domain)' in \(place) is not a valid domain")
                }
            }
        }
        for (i, n) in networks.enumerated() {
            guard !n.domains.isEmpty else { throw PolicyError("networks[\(i)] (\(n.name)) has no domains") }
            try check(n.domains, "networks[\(i)]")
        }
        for (i, c) in communities.enumerated() {
            guard !c.suffixes.isEmpty else { throw PolicyError("communities[\(i)] (\(c.name)) has no suffixes") }
            try check(c.suffixes + (c.hub.map { [$0] } ?? []), "communities[\(i)]")
        }
        for (i, r) in relays.enumerated() { try check([r.suffix] + r.registered + r.secureSenders, "relays[\(i)]") }
        for (i, l) in links.enumerated() {
            guard !l.from.isEmpty, !l.to.isEmpty else { throw PolicyError("links[\(i)] (\(l.name)) needs domains on both sides") }
            try check(l.from + l.to, "links[\(i)]")
        }
        for (i, r) in retired.enumerated() { try check([r.suffix], "retired[\(i)]") }
        try check(watched, "watched")
    }
}

public struct PolicyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
