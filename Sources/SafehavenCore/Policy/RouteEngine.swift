import Foundation

/// The answer to "is direct email from A to B secure?", with the rule that decided it.
public struct RouteVerdict: Codable, Equatable, Sendable {
    public var secure: Bool
    /// One sentence for a person.
    public var verdict: String
    /// Which rule matched, e.g. `network:Merton Council`, `community:…`, `relay:CJSM`, `retired:gsi.gov.uk`, `none`.
    public var rule: String
    public var reasons: [String]
    public var warnings: [String]
}

/// Applies a `RoutePolicy` to a pair of addresses. Pure: no I/O, no clock.
public struct RouteEngine: Sendable {
    public let policy: RoutePolicy

    public init(policy: RoutePolicy) { self.policy = policy }

    public func evaluate(from rawFrom: String, to rawTo: String) throws -> RouteVerdict {
        let from = try EmailAddress.normalise(rawFrom, field: "from")
        let to = try EmailAddress.normalise(rawTo, field: "to")
        let fromDomain = EmailAddress.domain(of: from), toDomain = EmailAddress.domain(of: to)
        var warnings = lookAlikeWarnings(fromDomain) + lookAlikeWarnings(toDomain)
        var seen = Set<String>()
        warnings = warnings.filter { seen.insert($0).inserted }

        func verdict(_ secure: Bool, _ rule: String, _ reasons: [String]) -> RouteVerdict {
            let sentence = secure
                ? "Direct email from \(from) to \(to) stays on a secure route."
                : "Direct email from \(from) to \(to) is not secure: use Safehaven or another secure channel."
            return RouteVerdict(secure: secure, verdict: sentence, rule: rule, reasons: reasons, warnings: warnings)
        }

        // A look-alike of a domain the policy trusts is never treated as secure.
        if !warnings.isEmpty, !isKnown(fromDomain) || !isKnown(toDomain) {
            return verdict(false, "look-alike", ["One of the addresses imitates a domain this policy knows; check it letter by letter before sending anything."])
        }
        for retired in policy.retired {
            for domain in [fromDomain, toDomain] where DomainMatch.matches(domain, suffix: retired.suffix) {
                return verdict(false, "retired:\(retired.suffix)", ["\(domain) is under \(retired.suffix), retired \(retired.since): \(retired.note)"])
            }
        }
        if let relayVerdict = relay(from: fromDomain, to: toDomain, verdict: verdict) { return relayVerdict }
        for network in policy.networks
        where DomainMatch.firstMatch(fromDomain, in: network.domains) != nil && DomainMatch.firstMatch(toDomain, in: network.domains) != nil {
            return verdict(true, "network:\(network.name)", ["Both addresses are on \(network.name)'s own network, so the message never leaves it."])
        }
        for link in policy.links {
            let forward = DomainMatch.firstMatch(fromDomain, in: link.from) != nil && DomainMatch.firstMatch(toDomain, in: link.to) != nil
            let back = DomainMatch.firstMatch(fromDomain, in: link.to) != nil && DomainMatch.firstMatch(toDomain, in: link.from) != nil
            if forward || back {
                return verdict(true, "link:\(link.name)", ["\(link.name) is a secure connection between these two organisations." + (link.note.map { " \($0)" } ?? "")])
            }
        }
        var nearMisses: [String] = []
        for community in policy.communities {
            let fromIn = DomainMatch.firstMatch(fromDomain, in: community.suffixes)
            let toIn = DomainMatch.firstMatch(toDomain, in: community.suffixes)
            guard let fromIn, let toIn else {
                if let member = fromIn ?? toIn {
                    let other = fromIn == nil ? fromDomain : toDomain
                    nearMisses.append("\(member) is in \(community.name) but \(other) is not; both ends must be members.")
                }
                continue
            }
            if let hub = community.hub, !DomainMatch.matches(fromDomain, suffix: hub), !DomainMatch.matches(toDomain, suffix: hub) {
                nearMisses.append("\(community.name) is secure only to or from \(hub).")
                continue
            }
            return verdict(true, "community:\(community.name)",
                           ["Both addresses are in \(community.name) (\(fromIn), \(toIn))." + (community.note.map { " \($0)" } ?? "")])
        }
        var reasons = nearMisses
        reasons.append("Mail between \(fromDomain) and \(toDomain) crosses the open internet, where it can be read or misdirected.")
        for relay in policy.relays where DomainMatch.firstMatch(fromDomain, in: relay.registered) != nil
            && isSecureSystem(toDomain, relay: relay) {
            reasons.append("\(from) is registered with \(relay.name): send to \(to).\(relay.suffix) instead.")
        }
        return verdict(false, "none", reasons)
    }

    /// CJSM-style relays: `name@registered.domain.cjsm.net` is a relay address.
    private func relay(from: String, to: String, verdict: (Bool, String, [String]) -> RouteVerdict) -> RouteVerdict? {
        for relay in policy.relays {
            let suffix = DomainMatch.canonical(relay.suffix)
            let toRelay = DomainMatch.matches(to, suffix: suffix) && to != suffix
            let fromRelay = DomainMatch.matches(from, suffix: suffix) && from != suffix
            guard toRelay || fromRelay else { continue }
            if toRelay {
                let senderOK = fromRelay || DomainMatch.firstMatch(from, in: relay.registered) != nil || isSecureSystem(from, relay: relay)
                if !senderOK {
                    return verdict(false, "relay:\(relay.name)",
                                   ["\(relay.name) addresses cannot receive mail from a system that is not itself secure; \(from) is neither registered with \(relay.name) nor on a secure network."])
                }
                return verdict(true, "relay:\(relay.name)", ["\(to) is a \(relay.name) address and \(from) may send into \(relay.name)." + (relay.note.map { " \($0)" } ?? "")])
            }
            // From a relay address to an ordinary one: secure only if the recipient is on a secure system.
            if isSecureSystem(to, relay: relay) || DomainMatch.firstMatch(to, in: relay.registered) != nil {
                return verdict(true, "relay:\(relay.name)", ["\(from) sends through \(relay.name) to a secure system."])
            }
            return verdict(false, "relay:\(relay.name)", ["\(relay.name) delivers securely only to other secure systems; \(to) is not one."])
        }
        return nil
    }

    private func isSecureSystem(_ domain: String, relay: Policy.Relay) -> Bool {
        DomainMatch.firstMatch(domain, in: relay.secureSenders) != nil
    }

    private func isKnown(_ domain: String) -> Bool {
        DomainMatch.firstMatch(domain, in: policy.knownDomains) != nil
    }

    private func lookAlikeWarnings(_ domain: String) -> [String] {
        let known = policy.knownDomains
        // A domain the policy itself names is never a look-alike of another named one.
        if DomainMatch.firstMatch(domain, in: known) != nil { return [] }
        return known.compactMap { DomainMatch.lookAlike(domain, of: $0) }
    }
}

typealias Policy = RoutePolicy
