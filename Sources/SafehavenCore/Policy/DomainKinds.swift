import Foundation

/// What kind of thing an email domain is, for deciding which domains may be one organisation's
/// own network. Only a registrable domain an administrator vouches for (`merton.gov.uk`,
/// `sthelier.nhs.uk`) is; free-mail providers and shared public namespaces never are. Accredited
/// shared services (`nhs.net`) may carry an organisation's accounts, but mail on them is judged by
/// the profile's own rules, never as one organisation's network.
public enum DomainKinds {
    public enum Kind: Equatable, Sendable {
        /// An organisation's own registrable domain.
        case own
        /// One address space shared by many organisations (NHSmail, the police network, CJSM).
        case sharedService
    }

    /// Free-mail providers: anyone can have an address there.
    static let freeMail: Set<String> = [
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk", "msn.com",
        "yahoo.com", "yahoo.co.uk", "ymail.com", "aol.com", "aol.co.uk", "icloud.com", "me.com", "mac.com", "mail.com",
        "gmx.com", "gmx.co.uk", "gmx.net", "protonmail.com", "proton.me", "pm.me", "tutanota.com", "zoho.com", "yandex.com",
        "btinternet.com", "btopenworld.com", "sky.com", "virginmedia.com", "ntlworld.com", "talktalk.net", "tiscali.co.uk",
        "blueyonder.co.uk", "fsmail.net", "orange.net", "plus.net", "mail.ru", "qq.com", "fastmail.com", "hushmail.com",
    ]

    /// Public suffixes (the parts of the public suffix list these organisations meet): nobody
    /// registers these themselves; organisations register one label below.
    static let publicSuffixes: Set<String> = [
        "uk", "co.uk", "org.uk", "gov.uk", "ac.uk", "sch.uk", "nhs.uk", "police.uk", "mod.uk", "ltd.uk", "plc.uk", "me.uk",
        "net.uk", "nic.uk", "ltd.co.uk", "plc.co.uk", "scot", "wales", "cymru", "london", "com", "net", "org", "gov", "info",
        "eu", "ie", "gov.ie", "int", "nhs.scot", "gov.scot", "gov.wales", "llyw.cymru",
    ]

    /// Suffixes every label under which is itself shared (`*.sch.uk`: a county's schools).
    static let wildcardSuffixes: Set<String> = ["sch.uk"]

    static let sharedServices: Set<String> = ["nhs.net", "pnn.police.uk", "cjsm.net", "mod.gov.uk"]

    /// The part of `domain` anyone can register: one label below its public suffix.
    public static func registrable(_ domain: String) -> String? {
        let labels = DomainMatch.canonical(domain).split(separator: ".").map(String.init)
        guard labels.count >= 2 else { return nil }
        // The longest public suffix that ends the domain.
        for take in stride(from: labels.count, through: 1, by: -1) {
            let suffix = labels.suffix(take).joined(separator: ".")
            let parent = labels.suffix(take).dropFirst().joined(separator: ".")
            let isSuffix = publicSuffixes.contains(suffix) || (take >= 2 && wildcardSuffixes.contains(parent))
            if isSuffix { return take < labels.count ? labels.suffix(take + 1).joined(separator: ".") : nil }
        }
        return labels.suffix(2).joined(separator: ".")
    }

    /// Whether `domain` may belong to one organisation in the directory, and as what. Throws a
    /// clear reason for free mail and shared namespaces.
    public static func check(organisationDomain domain: String) throws -> Kind {
        let d = DomainMatch.canonical(domain)
        if let provider = freeMail.first(where: { DomainMatch.matches(d, suffix: $0) }) {
            throw SafehavenError.invalid("domain", "\(d) is a free email service (\(provider)): anyone can have an address there, so it cannot be an organisation's own domain.")
        }
        if sharedServices.contains(d) { return .sharedService }
        guard let registrable = registrable(d) else {
            throw SafehavenError.invalid("domain", "\(d) is a shared public namespace, not one organisation's domain: give the organisation's own domain under it (for example merton.gov.uk).")
        }
        guard registrable == d else {
            throw SafehavenError.invalid("domain", "Give the organisation's registrable domain \(registrable), not \(d).")
        }
        return .own
    }

    /// True when `domain` may form an organisation's own network.
    public static func isOwn(_ domain: String) -> Bool { (try? check(organisationDomain: domain)) == .own }
}
