import Foundation
import PropertyBased
import SafehavenCore
import Testing

/// Properties of the matcher over generated domains.
@Suite struct RoutePropertyTests {
    static let label = Gen.lowercaseLetter.string(of: 1...10)
    static let known = ["nhs.net", "pnn.police.uk", "cjsm.net", "gsi.gov.uk", "mod.uk", "merton.gov.uk", "swindon.gov.uk"]

    @Test func suffixMatchingIsExactlyOnLabelBoundaries() async {
        await propertyCheck(count: 300, input: Self.label, Gen.element(of: Self.known)) { prefix, suffix in
            let suffix = suffix!
            #expect(DomainMatch.matches("\(prefix).\(suffix)", suffix: suffix))
            #expect(DomainMatch.matches("\(prefix.uppercased()).\(suffix.uppercased()).", suffix: suffix))
            #expect(!DomainMatch.matches("\(prefix)\(suffix)", suffix: suffix))
            #expect(!DomainMatch.matches("\(suffix).\(prefix)", suffix: suffix))
            #expect(!DomainMatch.matches("\(suffix)\(prefix)", suffix: suffix))
        }
    }

    @Test func aDomainOutsideEveryRuleIsNeverSecure() async throws {
        await propertyCheck(count: 300, input: Self.label, Self.label, Gen.element(of: ["com", "org", "co.uk", "io", "net", "uk"])) { a, b, tld in
            let domain = "\(a).\(b).\(tld!)"
            for profile in BuiltInProfiles.all {
                let named = profile.knownDomains.contains { DomainMatch.matches(domain, suffix: $0) }
                guard !named else { continue }
                for other in ["x@nhs.net", "x@merton.gov.uk", "x@met.pnn.police.uk", "x@a.cjsm.net", "y@\(domain)"] {
                    let verdict = try? RouteEngine(policy: profile).evaluate(from: other, to: "y@\(domain)")
                    #expect(verdict?.secure != true, "\(profile.name): \(other) → \(domain)")
                }
            }
        }
    }

    @Test func prefixingOrSplicingAKnownDomainNeverMakesItSecure() async {
        await propertyCheck(count: 300, input: Self.label, Gen.element(of: ["nhs.net", "pnn.police.uk"])) { junk, secure in
            let secure = secure!
            // Under uk-current every police.uk domain is a police force's (only forces can register
            // there), so text run into the front of pnn.police.uk is still police.uk; for nhs.net it
            // must never be secure.
            let prefixed = secure == "nhs.net" ? ["\(junk)\(secure)"] : []
            for domain in prefixed + ["\(secure).\(junk).com", "\(secure.replacingOccurrences(of: ".", with: "-")).\(junk)"] {
                let verdict = try? RouteEngine(policy: BuiltInProfiles.ukCurrent).evaluate(from: "a@nhs.net", to: "b@\(domain)")
                #expect(verdict?.secure == false, "\(domain)")
            }
        }
    }
}
