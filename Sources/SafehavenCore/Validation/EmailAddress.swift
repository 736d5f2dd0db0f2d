import Foundation

/// Email address checks. Deliberately stricter than RFC 5322: practitioners' addresses are plain
/// `local@domain`, and anything odd (quotes, comments, IP literals) is more likely a mistake or an
/// attack than a real colleague.
public enum EmailAddress {
    /// Lower-cases, trims and validates an address; throws a clear error otherwise.
    public static func normalise(_ raw: String, field: String = "email") throws -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !text.isEmpty else { throw SafehavenError.invalid(field, "An email address is required.") }
        guard text.utf8.count <= 254 else { throw SafehavenError.invalid(field, "That email address is too long.") }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw SafehavenError.invalid(field, "'\(printable(raw))' is not an email address.") }
        let local = parts[0]
        let domain = try normaliseDomain(String(parts[1]), field: field)
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy({ localAllowed.contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { throw SafehavenError.invalid(field, "'\(printable(raw))' is not an email address.") }
        return "\(local)@\(domain)"
    }

    /// Lower-cases a domain, drops one trailing dot and checks each label.
    public static func normaliseDomain(_ raw: String, field: String = "domain") throws -> String {
        var domain = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.count >= 2, domain.utf8.count <= 253,
              labels.allSatisfy({ label in
                  !label.isEmpty && label.count <= 63 && label.allSatisfy({ labelAllowed.contains($0) })
                      && !label.hasPrefix("-") && !label.hasSuffix("-")
              })
        else { throw SafehavenError.invalid(field, "'\(printable(raw))' is not a valid domain.") }
        return domain
    }

    /// The domain part of a normalised address.
    public static func domain(of address: String) -> String {
        String(address.split(separator: "@").last ?? "")
    }

    /// Echoes input in errors without control characters or unbounded length.
    static func printable(_ raw: String) -> String {
        String(raw.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(80).map(Character.init))
    }
}
