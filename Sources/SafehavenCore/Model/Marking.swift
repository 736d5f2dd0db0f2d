import Foundation

/// Government Security Classifications (2014) as used for personal information: OFFICIAL, with the
/// OFFICIAL-SENSITIVE handling caveat. Safehaven is not accredited above OFFICIAL, so SECRET and
/// TOP SECRET are refused. The pre-2014 protective markings in the older guidance are still seen on
/// documents and are accepted and mapped conservatively (see docs/policy.md).
public enum Marking: String, Codable, CaseIterable, Sendable {
    case official = "OFFICIAL"
    case officialSensitive = "OFFICIAL-SENSITIVE"

    /// The result of reading a marking a person typed: the marking to apply, and the legacy
    /// marking it came from, if any.
    public struct Parsed: Equatable, Sendable {
        public let marking: Marking
        public let legacy: String?
    }

    /// Reads a marking, case-insensitively, accepting spaces or underscores for the hyphen.
    public static func parse(_ text: String) throws -> Parsed {
        let normal = text.trimmingCharacters(in: .whitespaces).uppercased()
            .replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
        switch normal {
        case "OFFICIAL": return Parsed(marking: .official, legacy: nil)
        case "OFFICIAL-SENSITIVE": return Parsed(marking: .officialSensitive, legacy: nil)
        // Legacy GPMS markings. PROTECT covered most personal data and maps to OFFICIAL; RESTRICTED
        // and CONFIDENTIAL personal data needs the SENSITIVE caveat's extra care.
        case "PROTECT", "UNCLASSIFIED", "NOT-PROTECTIVELY-MARKED":
            return Parsed(marking: .official, legacy: normal)
        case "RESTRICTED", "CONFIDENTIAL", "PROTECT-PERSONAL", "PROTECT-PERSONAL-DATA":
            return Parsed(marking: .officialSensitive, legacy: normal)
        case "SECRET", "TOP-SECRET", "STRICTLY-SECRET":
            throw SafehavenError.invalid("marking", "Safehaven carries OFFICIAL information only; \(normal) material needs an accredited system.")
        default:
            throw SafehavenError.invalid("marking", "Unknown marking: use OFFICIAL or OFFICIAL-SENSITIVE.")
        }
    }
}
