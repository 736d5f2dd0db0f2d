import Foundation
import SafehavenCore
import Testing

/// Every address pair the source documents give as an example, under the profile built from
/// that document, with the verdict the document states.
@Suite struct RouteProfileTests {
    struct Case: CustomStringConvertible, Sendable {
        let profile: String
        let from: String
        let to: String
        let secure: Bool
        let rule: String
        var description: String { "\(profile): \(from) → \(to)" }
    }

    static let seedExamples: [Case] = [
        // Seed 001 (London CAF protocol annex), under its own profile.
        Case(profile: "pan-london", from: "colleague.one@nhs.net", to: "colleague.two@nhs.net", secure: true, rule: "network:NHSmail"),
        Case(profile: "pan-london", from: "colleague.three@merton.gov.uk", to: "colleague.four@merton.gov.uk", secure: true,
             rule: "network:Merton Council (the annex's example; other boroughs: check with your lead CAF contact)"),
        Case(profile: "pan-london", from: "colleague.five@met.pnn.police.uk", to: "colleague.one@nhs.net", secure: true,
             rule: "community:Government Secure Community"),
        Case(profile: "pan-london", from: "colleague.one@nhs.net", to: "colleague.four@merton.gov.uk", secure: false, rule: "none"),
        Case(profile: "pan-london", from: "casa@merton.gov.uk.cjsm.net", to: "joe.bloggs@nhs.net.cjsm.net", secure: true, rule: "relay:CJSM"),
        Case(profile: "pan-london", from: "casa@merton.gov.uk", to: "joe.bloggs@nhs.net.cjasm.net", secure: false, rule: "look-alike"),
        // Seed 000 (Merton) and seed 001 (London CAF annex built on it).
        Case(profile: "merton", from: "colleague.one@nhs.net", to: "colleague.two@nhs.net", secure: true, rule: "network:NHSmail"),
        Case(profile: "merton", from: "colleague.three@merton.gov.uk", to: "colleague.four@merton.gov.uk", secure: true, rule: "network:Merton Council"),
        Case(profile: "merton", from: "colleague.five@met.pnn.police.uk", to: "colleague.one@nhs.net", secure: true, rule: "community:Government Secure Community"),
        Case(profile: "merton", from: "colleague.one@nhs.net", to: "colleague.four@merton.gov.uk", secure: false, rule: "none"),
        Case(profile: "merton", from: "head@merton.sch.uk", to: "colleague.four@merton.gov.uk", secure: false, rule: "none"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "colleague.one@nhs.net.cjsm.net", secure: true, rule: "relay:CJSM"),
        Case(profile: "merton", from: "colleague.one@nhs.net", to: "casa@merton.gov.uk.cjsm.net", secure: true, rule: "relay:CJSM"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "officer@met.pnn.police.uk.cjsm.net", secure: true, rule: "relay:CJSM"),
        // Seed 001's table prints "cjasm.net"; that is not CJSM and is flagged, never trusted.
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "Joe.Bloggs@nhs.net.cjasm.net", secure: false, rule: "look-alike"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "officer@met.pnn.police.uk.cjasm.net", secure: false, rule: "look-alike"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "official@dept.gsi.gov.uk.cjasm.net", secure: false, rule: "look-alike"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "officer@council.gsx.gov.uk.cjasm.net", secure: false, rule: "look-alike"),
        Case(profile: "merton", from: "casa@merton.gov.uk", to: "official@dept.gsi.gov.uk.cjsm.net", secure: true, rule: "relay:CJSM"),
        Case(profile: "merton", from: "colleague@sutton.gov.uk", to: "colleague.one@nhs.net.cjsm.net", secure: false, rule: "relay:CJSM"),
        Case(profile: "merton", from: "nurse@sthelier.nhs.uk", to: "colleague.one@nhs.net", secure: false, rule: "none"),
        Case(profile: "merton", from: "younglondonmatters@gol.gsi.gov.uk", to: "colleague.one@nhs.net", secure: true, rule: "community:Government Secure Community"),
        // Seed 003 (Swindon).
        Case(profile: "swindon", from: "colleague.one@swindon.gov.uk", to: "colleague.two@swindon.gov.uk", secure: true, rule: "network:Swindon Borough Council"),
        Case(profile: "swindon", from: "colleague.one@swindon.gov.uk", to: "colleague.four@wiltshire.gov.uk", secure: false, rule: "none"),
        Case(profile: "swindon", from: "colleague.one@swindon.gov.uk", to: "ward.sister@gwh.nhs.uk", secure: true, rule: "link:N3 link between Swindon Borough Council and Great Western Hospital"),
        Case(profile: "swindon", from: "someone@swindon.gcsx.gov.uk", to: "doctor@nhs.net", secure: true, rule: "community:GCSx secure email network"),
        Case(profile: "swindon", from: "someone@swindon.gcsx.gov.uk", to: "officer@wiltshire.pnn.police.uk", secure: true, rule: "community:GCSx secure email network"),
        Case(profile: "swindon", from: "colleague.one@swindon.gov.uk", to: "doctor@nhs.net", secure: false, rule: "none"),
        Case(profile: "swindon", from: "someone@swindon.gcsx.gov.uk", to: "colleague@wiltshire.gov.uk", secure: false, rule: "none"),
        Case(profile: "swindon", from: "a@x.gsisup.co.uk", to: "b@y.scn.gov.uk", secure: true, rule: "community:GCSx secure email network"),
        Case(profile: "swindon", from: "a@dept.gse.gov.uk", to: "b@force.pnn.gov.uk", secure: true, rule: "community:GCSx secure email network"),
        Case(profile: "swindon", from: "a@army.mod.net", to: "b@nhs.net", secure: true, rule: "community:GCSx secure email network"),
        // Seed 004 (NHS IG Toolkit): NHSmail to NHSmail, or NHSmail to the listed government domains.
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@nhs.net", secure: true, rule: "network:NHSmail"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@dept.gsi.gov.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@met.pnn.police.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@x.gse.gov.uk", to: "b@nhs.net", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@x.gsx.gov.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@x.gcsx.gov.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@x.scn.gov.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@x.cjsm.net", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@army.mod.uk", secure: true, rule: "community:NHSmail and government secure domains"),
        Case(profile: "nhs-ig-toolkit", from: "a@x.gsi.gov.uk", to: "b@met.pnn.police.uk", secure: false, rule: "none"),
        Case(profile: "nhs-ig-toolkit", from: "a@nhs.net", to: "b@trust.nhs.uk", secure: false, rule: "none"),
        // Today's position.
        Case(profile: "uk-current", from: "a@nhs.net", to: "b@nhs.net", secure: true, rule: "community:Secure email standard (DCB1596)"),
        Case(profile: "uk-current", from: "a@nhs.net", to: "b@met.pnn.police.uk", secure: true, rule: "community:Secure email standard (DCB1596)"),
        Case(profile: "uk-current", from: "a@nhs.net", to: "b@dept.gsi.gov.uk", secure: false, rule: "retired:gsi.gov.uk"),
        Case(profile: "uk-current", from: "a@merton.gcsx.gov.uk", to: "b@nhs.net", secure: false, rule: "retired:gcsx.gov.uk"),
        Case(profile: "uk-current", from: "a@nhs.net", to: "b@merton.gov.uk.cjsm.net", secure: true, rule: "relay:CJSM"),
        Case(profile: "uk-current", from: "a@merton.gov.uk", to: "b@nhs.net", secure: false, rule: "none"),
    ]

    @Test(arguments: seedExamples)
    func seedExample(_ c: Case) throws {
        let engine = RouteEngine(policy: try #require(BuiltInProfiles.named(c.profile)))
        let verdict = try engine.evaluate(from: c.from, to: c.to)
        #expect(verdict.secure == c.secure, "\(verdict.reasons)")
        #expect(verdict.rule == c.rule)
        #expect(!verdict.reasons.isEmpty)
        // Direction does not change the answer for two-way rules.
        if !c.rule.hasPrefix("relay") {
            #expect(try engine.evaluate(from: c.to, to: c.from).secure == c.secure)
        }
    }

    @Test func notSecureFromMertonSuggestsTheCJSMAddress() throws {
        let verdict = try RouteEngine(policy: BuiltInProfiles.merton).evaluate(from: "casa@merton.gov.uk", to: "colleague.one@nhs.net")
        #expect(!verdict.secure)
        #expect(verdict.reasons.contains { $0.contains("colleague.one@nhs.net.cjsm.net") })
    }

    @Test(arguments: [
        ("a@NHS.NET", "b@Nhs.Net.", true), ("a@nhs.net.", "b@trust.nhs.net", true),
        ("a@evilnhs.net", "b@nhs.net", false), ("a@nhs.net.example.com", "b@nhs.net", false),
        ("a@nhs-net.com", "b@nhs.net", false), ("a@nhs.met", "b@nhs.net", false), ("a@nhs.net", "b@xn--nhs-net-9za.com", false),
        ("a@nhs.net", "b@nhs.nеt", false),
    ])
    func labelsCaseDotsAndImitations(from: String, to: String, secure: Bool) throws {
        // Non-ASCII addresses are refused outright; the rest are judged.
        if let verdict = try? RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: from, to: to) {
            #expect(verdict.secure == secure)
            if !secure && to != "b@nhs.net" || from.contains("evil") || from.contains("example") {
                #expect(!verdict.warnings.isEmpty || verdict.rule == "none")
            }
        } else {
            #expect(!secure)
        }
    }

    @Test(arguments: ["evilnhs.net", "nhs.net.example.com", "nhs-net.co.uk", "nhs.met", "nhs.nett", "gsi.gov.uk.attacker.io", "cjasm.net",
                      "xn--nhs-net-9za.com", "nhsnet.com", "pnn.police.uk.evil.com", "rnod.uk"])
    func lookAlikesAreFlagged(domain: String) {
        let known = ["nhs.net", "cjsm.net", "gsi.gov.uk", "pnn.police.uk", "mod.uk"]
        #expect(known.contains { DomainMatch.lookAlike(domain, of: $0) != nil }, "\(domain)")
    }

    @Test(arguments: ["nhs.net", "trust.nhs.net", "merton.gov.uk", "sutton.gov.uk", "gwh.nhs.uk", "wiltshire.gov.uk", "example.org"])
    func ordinaryDomainsAreNotFlagged(domain: String) {
        let known = ["nhs.net", "cjsm.net", "pnn.police.uk", "mod.gov.uk"]
        #expect(known.allSatisfy { DomainMatch.lookAlike(domain, of: $0) == nil }, "\(domain)")
    }

    @Test func invalidAddressesAreRefusedFirst() {
        #expect(throws: SafehavenError.self) { try RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "not-an-address", to: "b@nhs.net") }
        #expect(throws: SafehavenError.self) { try RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "a@nhs.net", to: "b@nhs..net") }
    }
}

@Suite struct PolicyFileTests {
    @Test func loadsAMinimalFileAndAppliesIt() throws {
        let json = #"{"name":"local","links":[{"name":"Council and hospital","from":["council.gov.uk"],"to":["hospital.nhs.uk"]}]}"#
        let policy = try RoutePolicy.load(json: Data(json.utf8))
        let verdict = try RouteEngine(policy: policy).evaluate(from: "a@council.gov.uk", to: "b@hospital.nhs.uk")
        #expect(verdict.secure && verdict.rule == "link:Council and hospital")
    }

    @Test(arguments: [
        (#"{"#, "not valid JSON"), (#"{"description":"x"}"#, "missing 'name'"),
        (#"{"name":"x","networks":[{"name":"n","domains":["bad domain"]}]}"#, "'bad domain' in networks[0]"),
        (#"{"name":"x","communities":[{"name":"c","suffixes":[]}]}"#, "communities[0] (c) has no suffixes"),
        (#"{"name":"x","links":[{"name":"l","from":["a.uk"],"to":[]}]}"#, "links[0] (l) needs domains on both sides"),
        (#"{"name":"x","networks":"nope"}"#, "wrong type at .networks"),
        (#"{"name":" "}"#, "needs a name"),
    ])
    func badFilesGiveClearErrors(json: String, expected: String) {
        do {
            _ = try RoutePolicy.load(json: Data(json.utf8))
            Issue.record("accepted a bad policy")
        } catch let error as PolicyError {
            #expect(error.description.contains(expected), "\(error.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func yamlPoliciesReadTheSameFields() throws {
        let yaml = """
            name: borough
            description: Our council and the local hospital
            networks:
              - name: Borough Council
                domains: [borough.gov.uk]
            links:
              - name: Council and hospital
                from: [borough.gov.uk]
                to: [hospital.nhs.uk]
            """
        let policy = try RoutePolicy.load(file: Data(yaml.utf8))
        #expect(policy.name == "borough")
        #expect(try RouteEngine(policy: policy).evaluate(from: "a@hospital.nhs.uk", to: "b@borough.gov.uk").rule == "link:Council and hospital")
        #expect(throws: PolicyError.self) { try RoutePolicy.load(file: Data("name: [unclosed".utf8)) }
        #expect(throws: PolicyError.self) { try RoutePolicy.load(file: Data("description: no name".utf8)) }
        do {
            _ = try RoutePolicy.load(file: Data("name: x\nnetworks:\n  - name: n\n    domains: [\"not a domain\"]\n".utf8))
            Issue.record("accepted a bad domain")
        } catch let error as PolicyError {
            #expect(error.description.contains("networks[0]"))
        }
    }

    @Test func everyBuiltInProfileIsValidAndRoundTrips() throws {
        for profile in BuiltInProfiles.all {
            try profile.validate()
            let data = try JSONEncoder().encode(profile)
            #expect(try RoutePolicy.load(json: data) == profile)
        }
        #expect(throws: PolicyError.self) { try RoutePolicy.resolve(profile: "nowhere", file: nil) }
        #expect(try RoutePolicy.resolve(profile: nil, file: nil).name == "uk-current")
    }

    // MARK: today's facts under every profile

    static let closedDomains = TodaysFacts.closedNetworks.map { "official@dept.\($0.suffix)" }

    @Test(arguments: BuiltInProfiles.names)
    func aClosedNetworkIsAlwaysFlaggedWhateverTheProfileSays(profile: String) throws {
        let engine = RouteEngine(policy: try #require(BuiltInProfiles.named(profile)))
        for closed in Self.closedDomains {
            for partner in ["a@nhs.net", "b@merton.gov.uk", "c@met.pnn.police.uk", "d@swindon.gov.uk", closed] {
                for (from, to) in [(closed, partner), (partner, closed)] {
                    let verdict = try engine.evaluate(from: from, to: to)
                    let flagged = verdict.rule.hasPrefix("retired:")
                        || verdict.warnings.first?.contains("closed on 31 March 2019") == true
                    #expect(flagged, "\(profile): \(from) → \(to) \(verdict)")
                }
            }
        }
    }

    /// The misprint is never trusted: not by any built-in profile, not even by a policy file that
    /// names it as a network.
    @Test(arguments: BuiltInProfiles.names + ["file"])
    func theSeedsMisprintIsNeverTrusted(profile: String) throws {
        let policy = profile == "file"
            ? try RoutePolicy.load(json: Data(#"{"name":"mine","networks":[{"name":"typo","domains":["cjasm.net","nhs.net.cjasm.net"]}]}"#.utf8))
            : try #require(BuiltInProfiles.named(profile))
        let engine = RouteEngine(policy: policy)
        for misprinted in ["joe@nhs.net.cjasm.net", "casa@merton.gov.uk.cjasm.net", "x@cjasm.net", "y@gsi.gov.uk.CJASM.net"] {
            for partner in ["a@nhs.net", "b@merton.gov.uk", "c@other.nhs.net.cjasm.net", "d@merton.gov.uk.cjsm.net"] {
                for (from, to) in [(misprinted, partner), (partner, misprinted)] {
                    let verdict = try engine.evaluate(from: from, to: to)
                    #expect(!verdict.secure && verdict.rule == "look-alike", "\(profile): \(from) → \(to)")
                    #expect(verdict.warnings.contains { $0.contains("misprint of cjsm.net") })
                }
            }
        }
    }

    @Test(arguments: BuiltInProfiles.all.filter { !$0.relays.isEmpty }.map(\.name))
    func onlyAnOrganisationTheRelayServesMayStandInFrontOfItsSuffix(profile: String) throws {
        let engine = RouteEngine(policy: try #require(BuiltInProfiles.named(profile)))
        for untrusted in ["gmail.com", "outlook.com", "evil.example", "nhs.net.attacker.io"] {
            let verdict = try engine.evaluate(from: "a@nhs.net", to: "someone@\(untrusted).cjsm.net")
            #expect(!verdict.secure, "\(profile): \(untrusted)")
            let back = try engine.evaluate(from: "someone@\(untrusted).cjsm.net", to: "a@nhs.net")
            #expect(!back.secure, "\(profile): from \(untrusted)")
        }
        // An authority that may be registered: accepted, with a warning to check.
        let borough = try engine.evaluate(from: "a@nhs.net", to: "casa@sutton.gov.uk.cjsm.net")
        #expect(borough.secure && borough.warnings.contains { $0.contains("not known to be registered") }, "\(profile)")
    }

    @Test func anN3LinkIsReportedAsHSCNToday() throws {
        let verdict = try RouteEngine(policy: BuiltInProfiles.swindon).evaluate(from: "a@swindon.gov.uk", to: "b@gwh.nhs.uk")
        #expect(verdict.secure && verdict.rule.hasPrefix("link:"))
        #expect(verdict.warnings.first?.contains("HSCN") == true)
    }

    @Test func londonHasItsOwnProfileAndMertonIsSeed000Only() throws {
        let london = try #require(BuiltInProfiles.named("pan-london"))
        #expect(london.sources.allSatisfy { $0.contains("seed 001") })
        #expect(BuiltInProfiles.merton.sources.allSatisfy { !$0.contains("seed 001") && !$0.contains("CAF") })
    }
}

/// Directory organisations cannot turn shared or free-mail domains into a "secure network".
@Suite struct DirectoryDomainTests {
    @Test(arguments: ["gmail.com", "mail.gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com", "proton.me",
                      "gov.uk", "nhs.uk", "police.uk", "sch.uk", "co.uk", "uk", "merton.sch.uk", "com"])
    func freeMailAndSharedNamespacesAreRefused(domain: String) {
        #expect(throws: SafehavenError.self) { try DomainKinds.check(organisationDomain: domain) }
    }

    @Test(arguments: ["merton.gov.uk", "sthelier.nhs.uk", "met.police.uk", "school.merton.sch.uk", "barnardos.org.uk", "example.com"])
    func registrableDomainsAreAnOrganisationsOwn(domain: String) throws {
        #expect(try DomainKinds.check(organisationDomain: domain) == .own)
    }

    @Test func aSubdomainIsRefusedInFavourOfItsRegistrableDomain() {
        #expect(throws: SafehavenError.self) { try DomainKinds.check(organisationDomain: "mail.merton.gov.uk") }
        #expect(DomainKinds.registrable("mail.merton.gov.uk") == "merton.gov.uk")
    }

    @Test(arguments: ["nhs.net", "pnn.police.uk", "cjsm.net"])
    func sharedServicesCarryAccountsButNeverFormANetwork(domain: String) throws {
        #expect(try DomainKinds.check(organisationDomain: domain) == .sharedService)
        // An (older) directory entry claiming it still makes no network of it.
        let org = Organisation(id: "o", name: "Somebody", domains: [domain, "somebody.org.uk"], switchboard: "", address: "", createdAt: Date())
        let policy = RoutePolicy(name: "empty", description: "").including(directory: [org])
        #expect(policy.networks.flatMap(\.domains) == ["somebody.org.uk"])
        let verdict = try RouteEngine(policy: policy).evaluate(from: "a@\(domain)", to: "b@\(domain)")
        #expect(!verdict.secure)
        #expect(try RouteEngine(policy: policy).evaluate(from: "a@somebody.org.uk", to: "b@somebody.org.uk").secure)
    }

    @Test func anOlderDirectoryEntryForFreeMailMakesNoNetwork() throws {
        let org = Organisation(id: "o", name: "Careless", domains: ["gmail.com"], switchboard: "", address: "", createdAt: Date())
        let policy = BuiltInProfiles.ukCurrent.including(directory: [org])
        #expect(!(try RouteEngine(policy: policy).evaluate(from: "a@gmail.com", to: "b@gmail.com").secure))
    }
}

/// Look-alikes are explained, naming the characters, not just refused.
@Suite struct LookAlikeExplanationTests {
    /// Letters with a look-alike, and the look-alike put in their place.
    static let swaps: [Character: Character] = ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "s": "ѕ", "j": "ј"]

    /// Every domain any built-in profile knows, with each swappable letter replaced in turn, is
    /// reported as a look-alike of it, naming the character and its script.
    @Test(arguments: BuiltInProfiles.names)
    func everyKnownDomainWithOneLetterSwappedIsNamed(profile: String) throws {
        let policy = try #require(BuiltInProfiles.named(profile))
        let engine = RouteEngine(policy: policy)
        for known in policy.knownDomains {
            for (index, letter) in known.enumerated() {
                guard let swap = Self.swaps[letter] else { continue }
                var chars = Array(known)
                chars[index] = swap
                let fake = String(chars)
                let verdict = try engine.evaluate(from: "someone@\(fake)", to: "other@merton.gov.uk")
                #expect(!verdict.secure && verdict.rule == "look-alike", "\(profile): \(fake)")
                let code = String(format: "U+%04X", swap.unicodeScalars.first!.value)
                #expect(verdict.warnings.contains { $0.contains(code) && $0.contains("Cyrillic") }, "\(profile): \(fake) \(verdict.warnings)")
            }
        }
    }

    @Test func asciiSwapsAreNamedToo() throws {
        let verdict = try RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "a@nhs.n3t", to: "b@nhs.net")
        #expect(!verdict.secure && verdict.warnings.contains { $0.contains("\"3\"") && $0.contains("stands for \"e\"") })
        let rn = try RouteEngine(policy: BuiltInProfiles.merton).evaluate(from: "a@rnerton.gov.uk", to: "b@merton.gov.uk")
        #expect(!rn.secure && rn.warnings.contains { $0.contains("\"rn\" stands for \"m\"") })
    }

    @Test func anAddressThatIsNotALookAlikeIsStillAnError() {
        #expect(throws: SafehavenError.self) { try RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "a@例え.jp", to: "b@nhs.net") }
        #expect(throws: SafehavenError.self) { try RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "not an address", to: "b@nhs.net") }
    }
}
