import Foundation

/// Domain comparisons on whole DNS labels. `nhs.net` matches `nhs.net` and `trust.nhs.net`, never
/// `evilnhs.net` or `nhs.net.example.com`. Case and one trailing dot are ignored.
public enum DomainMatch {
    /// Lower-case, without a trailing dot.
    public static func canonical(_ domain: String) -> String {
        var d = domain.trimmingCharacters(in: .whitespaces).lowercased()
        if d.hasSuffix(".") { d.removeLast() }
        return d
    }

    /// True when `domain` is `suffix` or ends in `.suffix`.
    public static func matches(_ domain: String, suffix: String) -> Bool {
        let d = canonical(domain), s = canonical(suffix)
        guard !s.isEmpty else { return false }
        return d == s || d.hasSuffix("." + s)
    }

    /// The first suffix `domain` falls under, if any.
    public static func firstMatch(_ domain: String, in suffixes: [String]) -> String? {
        suffixes.first { matches(domain, suffix: $0) }
    }

    /// Levenshtein distance, for look-alike detection on short strings.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Characters that are commonly swapped to imitate a domain, folded to what they imitate.
    static let folds: [Character: String] = [
            "0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "7": "t", "9": "g", "$": "s",
            // Cyrillic and Greek letters that render like Latin ones.
            "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "l", "ј": "j", "ѕ": "s",
            "ο": "o", "α": "a", "ν": "v", "ι": "l", "κ": "k", "ρ": "p", "τ": "t",
        ]

    static func skeleton(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() { out += folds[ch] ?? String(ch) }
        return out.replacingOccurrences(of: "rn", with: "m").replacingOccurrences(of: "vv", with: "w")
    }

    /// The script a letter belongs to, for the scripts look-alikes are drawn from.
    static func script(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: return "Latin"
        case 0x370...0x3FF: return "Greek"
        case 0x400...0x4FF: return "Cyrillic"
        default: return nil
        }
    }

    /// Names the characters that stand in for others, and any mixing of scripts, so a person can
    /// see exactly what is wrong: `: "е" (U+0435, Cyrillic) stands for "e"; it mixes Latin and Cyrillic letters`.
    static func explain(_ domain: String) -> String {
        var parts: [String] = []
        var seen = Set<Character>()
        for ch in domain where folds[ch] != nil && seen.insert(ch).inserted {
            let scalar = ch.unicodeScalars.first!
            let code = String(format: "U+%04X", scalar.value)
            let where_ = script(scalar).map { ", \($0)" } ?? ""
            parts.append("\"\(ch)\" (\(code)\(where_)) stands for \"\(folds[ch]!)\"")
        }
        if domain.contains("rn") { parts.append("\"rn\" stands for \"m\"") }
        if domain.contains("vv") { parts.append("\"vv\" stands for \"w\"") }
        for label in domain.split(separator: ".") {
            let scripts = Set(label.unicodeScalars.compactMap(script))
            if scripts.count > 1 { parts.append("\"\(label)\" mixes \(scripts.sorted().joined(separator: " and ")) letters") }
        }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: "; ")
    }

    /// Why `domain` looks like `known` without being it (or under it), or nil when it does not.
    public static func lookAlike(_ domain: String, of known: String) -> String? {
        let d = canonical(domain), k = canonical(known)
        guard !matches(d, suffix: k) else { return nil }
        if d.split(separator: ".").contains(where: { $0.hasPrefix("xn--") }) {
            // Internationalised labels are shown to people as Unicode: flag any that end like a known domain.
            let tail = k.split(separator: ".").suffix(1).joined()
            if d.hasSuffix("." + tail) || d.contains(k.split(separator: ".").first.map(String.init) ?? k) {
                return "\(d) uses internationalised (punycode) labels and may be made to look like \(k)"
            }
        }
        if !d.unicodeScalars.allSatisfy(\.isASCII), skeleton(d) == skeleton(k) || matches(skeleton(d), suffix: skeleton(k)) {
            return "\(d) uses look-alike characters to imitate \(k)" + explain(d)
        }
        // Compare the trailing labels of the same length as the known domain.
        let kLabels = k.split(separator: ".").count
        let dTail = d.split(separator: ".").suffix(kLabels).joined(separator: ".")
        if dTail != k {
            if skeleton(dTail) == skeleton(k) { return "\(d) swaps look-alike characters to imitate \(k)" + explain(dTail) }
            let distance = editDistance(dTail, k)
            if distance > 0 && distance <= (k.count >= 8 ? 2 : 1) { return "\(d) is one or two letters away from \(k)" }
        }
        // The known domain hidden in front of another one: nhs.net.example.com, nhs-net.com.
        if d.hasPrefix(k + ".") || d.hasPrefix(k.replacingOccurrences(of: ".", with: "-")) {
            return "\(d) begins with \(k) but belongs to someone else"
        }
        let squash = { (x: String) in x.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "") }
        if squash(d).contains(squash(k)) {
            return "\(d) runs \(k) together with other text"
        }
        return nil
    }
}
