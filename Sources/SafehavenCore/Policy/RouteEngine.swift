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
        let from: String, to: String
        do {
            from = try EmailAddress.normalise(rawFrom, field: "from")
            to = try EmailAddress.normalise(rawTo, field: "to")
        } catch {
            // An address written in look-alike letters is not a valid address, but the person
            // deserves to know what it imitates rather than just "invalid".
            if let imitation = unicodeImitation(rawFrom) ?? unicodeImitation(rawTo) {
                return RouteVerdict(secure: false, verdict: "Direct email from \(rawFrom) to \(rawTo) is not secure: an address imitates a domain this policy knows.",
                                    rule: "look-alike", reasons: ["Check the address letter by letter before sending anything."], warnings: [imitation])
            }
            throw error
        }
        let fromDomain = EmailAddress.domain(of: from), toDomain = EmailAddress.domain(of: to)
        var seen = Set<String>()
        let lookAlikes = (lookAlikeWarnings(fromDomain) + lookAlikeWarnings(toDomain)).filter { seen.insert($0).inserted }
        var warnings = lookAlikes

        func verdict(_ secure: Bool, _ rule: String, _ reasons: [String]) -> RouteVerdict {
            let sentence = secure
                ? "Direct email from \(from) to \(to) stays on a secure route."
                : "Direct email from \(from) to \(to) is not secure: use Safehaven or another secure channel."
            return RouteVerdict(secure: secure, verdict: sentence, rule: rule, reasons: reasons, warnings: warnings)
        }

        // A seed's misprint is never a secure service, whatever the profile says.
        for misprint in TodaysFacts.misprints {
            for domain in [fromDomain, toDomain] where DomainMatch.matches(domain, suffix: misprint.suffix) {
                warnings.insert("\(domain) is a misprint of \(misprint.meant): \(misprint.source). No secure service exists at \(misprint.suffix).", at: 0)
                return verdict(false, "look-alike", ["\(misprint.suffix) is not a real secure service; the address was probably meant to end in \(misprint.meant)."])
            }
        }
        warnings = todaysWarnings(fromDomain, toDomain) + warnings
        // A look-alike of a domain the policy trusts is never treated as secure.
        if !lookAlikes.isEmpty, !isKnown(fromDomain) || !isKnown(toDomain) {
            return verdict(false, "look-alike", ["One of the addresses imitates a domain this policy knows; check it letter by letter before sending anything."])
        }
        for retired in policy.retired {
            for domain in [fromDomain, toDomain] where DomainMatch.matches(domain, suffix: retired.suffix) {
                return verdict(false, "retired:\(retired.suffix)", ["\(domain) is under \(retired.suffix), retired \(retired.since): \(retired.note)"])
            }
        }
        if let outcome = relay(from: fromDomain, to: toDomain) {
            warnings += outcome.warnings
            return verdict(outcome.secure, outcome.rule, outcome.reasons)
        }
        for network in policy.networks
        where DomainMatch.firstMatch(fromDomain, in: network.domains) != nil && DomainMatch.firstMatch(toDomain, in: network.domains) != nil {
            return verdict(true, "network:\(network.name)", ["Both addresses are on \(network.name)'s own network, so the message never leaves it."])
        }
        for link in policy.links {
            let forward = DomainMatch.firstMatch(fromDomain, in: link.from) != nil && DomainMatch.firstMatch(toDomain, in: link.to) != nil
            let back = DomainMatch.firstMatch(fromDomain, in: link.to) != nil && DomainMatch.firstMatch(toDomain, in: link.from) != nil
            if forward || back {
                for renamed in TodaysFacts.renamedNetworks where link.name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains(Substring(renamed.old)) {
                    warnings.insert("Today: \(renamed.note).", at: 0)
                }
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
    private func relay(from: String, to: String) -> (secure: Bool, rule: String, reasons: [String], warnings: [String])? {
        var relayWarnings: [String] = []
        func verdict(_ secure: Bool, _ rule: String, _ reasons: [String]) -> (secure: Bool, rule: String, reasons: [String], warnings: [String]) {
            (secure, rule, reasons, relayWarnings)
        }
        for relay in policy.relays {
            let suffix = DomainMatch.canonical(relay.suffix)
            let toRelay = DomainMatch.matches(to, suffix: suffix) && to != suffix
            let fromRelay = DomainMatch.matches(from, suffix: suffix) && from != suffix
            guard toRelay || fromRelay else { continue }
            for domain in [from, to] {
                let problem = relayPrefixProblem(domain, relay: relay)
                if let refuse = problem.refuse { return verdict(false, "relay:\(relay.name)", [refuse]) }
                if let warn = problem.warn { relayWarnings.append(warn) }
            }
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

    /// Warnings about today's world a historical profile does not know: closed networks.
    private func todaysWarnings(_ domains: String...) -> [String] {
        var out: [String] = []
        for closed in TodaysFacts.closedNetworks where !policy.retired.contains(where: { DomainMatch.canonical($0.suffix) == closed.suffix }) {
            for domain in Set(domains) where DomainMatch.matches(domain, suffix: closed.suffix) {
                out.append("Today: \(domain) is under \(closed.suffix) — \(closed.note). The \(policy.name) profile reproduces its source document as written.")
            }
        }
        return out
    }

    /// What stands in front of a relay suffix must be a domain the relay serves: registered,
    /// a secure system, or (with a warning) under a namespace whose organisations can register.
    private func relayPrefixProblem(_ address: String, relay: Policy.Relay) -> (refuse: String?, warn: String?) {
        let suffix = DomainMatch.canonical(relay.suffix)
        guard address.hasSuffix("." + suffix) else { return (nil, nil) }
        let prefix = String(address.dropLast(suffix.count + 1))
        if DomainMatch.firstMatch(prefix, in: relay.registered) != nil || isSecureSystem(prefix, relay: relay) { return (nil, nil) }
        if DomainMatch.firstMatch(prefix, in: relay.registrable) != nil {
            return (nil, "\(prefix) is not known to be registered with \(relay.name): check with the recipient that their \(relay.name) address exists before sending.")
        }
        return ("\(prefix) is not an organisation \(relay.name) serves, so \(address) is not a \(relay.name) address to trust.", nil)
    }

    private func isSecureSystem(_ domain: String, relay: Policy.Relay) -> Bool {
        DomainMatch.firstMatch(domain, in: relay.secureSenders) != nil
    }

    /// For an address whose domain uses letters outside ASCII: what it imitates, with the letters named.
    private func unicodeImitation(_ address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = DomainMatch.canonical(String(address[address.index(after: at)...]))
        guard !domain.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let explained = DomainMatch.explain(domain)
        // Prefer the domain it imitates letter for letter; name the letters either way.
        let known = policy.knownDomains
        if let exact = known.first(where: { DomainMatch.skeleton(domain) == DomainMatch.skeleton($0) || DomainMatch.matches(DomainMatch.skeleton(domain), suffix: DomainMatch.skeleton($0)) }),
           let why = DomainMatch.lookAlike(domain, of: exact) {
            return why.contains("stands for") ? why : why + explained
        }
        for candidate in known {
            if let why = DomainMatch.lookAlike(domain, of: candidate) { return why.contains("stands for") ? why : why + explained }
        }
        return explained.isEmpty ? nil : "\(domain) uses letters from outside the Latin alphabet" + explained
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
