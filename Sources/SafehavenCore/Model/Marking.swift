import Foundation

/// Government Security Classifications (2014) as used for personal information: OFFICIAL, with the
/// OFFICIAL-SENSITIVE handling caveat. Safehaven is not accredited above OFFICIAL, so SECRET and
/// TOP SECRET are refused. The pre-2014 protective markings in the older guidance are still seen on
/// documents and are accepted and mapped conservatively (see docs/policy.md).
public enum Marking: String, Codable, CaseIterable, Sendable {
    case official = "OFFICIAL"
    case officialSensitive = "OFFICIAL-SENSITIVE"

    /// The result of reading a marking a person typed: the marking to apply, the legacy marking
    /// it came from, a descriptor, and anything the sender should check.
    public struct Parsed: Equatable, Sendable {
        public let marking: Marking
        public let legacy: String?
        public let descriptor: String?
        public let warning: String?

        public init(marking: Marking, legacy: String?, descriptor: String? = nil, warning: String? = nil) {
            self.marking = marking
            self.legacy = legacy
            self.descriptor = descriptor
            self.warning = warning
        }
    }

    /// The descriptors the 2014 scheme allows with OFFICIAL-SENSITIVE.
    static let descriptors = ["PERSONAL", "COMMERCIAL", "LOCSEN"]

    /// Separators people type between the words of a marking: spaces, hyphens and dashes of every
    /// kind, colons, underscores and slashes.
    static func isSeparator(_ c: Character) -> Bool {
        c.isWhitespace || "-_:/\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{2015}\u{2212}".contains(c)
    }

    /// The words of a marking joined by single hyphens, upper-case.
    static func canonical(_ text: String) -> String {
        text.uppercased().split(whereSeparator: isSeparator).joined(separator: "-")
    }

    /// Reads a marking as people write it (`Official: Sensitive`, `PROTECT - PERSONAL`,
    /// `OFFICIAL-SENSITIVE PERSONAL`, `NHS CONFIDENTIAL`), refusing anything else.
    public static func parse(_ text: String) throws -> Parsed {
        var base = canonical(text)
        var descriptor: String?
        for d in descriptors where base.hasSuffix("-" + d) || base.hasSuffix("-" + d + "-DATA") {
            descriptor = d
            base = String(base.dropLast(base.hasSuffix("-DATA") ? d.count + 6 : d.count + 1))
            break
        }
        switch base {
        case "OFFICIAL" where descriptor == nil:
            return Parsed(marking: .official, legacy: nil)
        case "OFFICIAL", "OFFICIAL-SENSITIVE":
            return Parsed(marking: .officialSensitive, legacy: nil, descriptor: descriptor,
                          warning: base == "OFFICIAL" ? "Descriptors such as \(descriptor ?? "") go with OFFICIAL-SENSITIVE, so the share is marked OFFICIAL-SENSITIVE." : nil)
        // Legacy markings (the Government Protective Marking System, before April 2014), mapped
        // to the tier that gives personal data at least the care it had. Both PROTECT forms are one
        // tier: PROTECT was the marking for personal data.
        case "PROTECT":
            return Parsed(marking: .officialSensitive, legacy: descriptor == nil ? "PROTECT" : "PROTECT - \(descriptor!)", descriptor: descriptor)
        case "UNCLASSIFIED" where descriptor == nil, "NOT-PROTECTIVELY-MARKED" where descriptor == nil:
            return Parsed(marking: .official, legacy: base.replacingOccurrences(of: "-", with: " "))
        case "RESTRICTED":
            return Parsed(marking: .officialSensitive, legacy: "RESTRICTED", descriptor: descriptor)
        case "NHS-CONFIDENTIAL":
            return Parsed(marking: .officialSensitive, legacy: "NHS CONFIDENTIAL", descriptor: descriptor)
        case "CONFIDENTIAL":
            return Parsed(marking: .officialSensitive, legacy: "CONFIDENTIAL", descriptor: descriptor,
                          warning: "CONFIDENTIAL was a higher marking before 2014 and some such material is now SECRET, which Safehaven does not carry: check the marking with whoever created the information before sending.")
        case "SECRET", "TOP-SECRET", "STRICTLY-SECRET":
            throw SafehavenError.invalid("marking", "Safehaven carries OFFICIAL information only; \(base.replacingOccurrences(of: "-", with: " ")) material needs an accredited system.")
        default:
            throw SafehavenError.invalid("marking", "Unknown marking: use OFFICIAL or OFFICIAL-SENSITIVE (with PERSONAL, COMMERCIAL or LOCSEN if it applies).")
        }
    }
}
