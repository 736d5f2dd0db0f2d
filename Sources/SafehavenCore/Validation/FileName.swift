import Foundation

/// Makes an uploaded file name safe to store and to offer back for download. The name is only a
/// label (blobs are stored by id), but it is echoed in headers and pages, so it loses path parts,
/// control and bidirectional-override characters, and is bounded in length.
public enum FileName {
    public static let maxLength = 200

    public static func sanitise(_ raw: String) -> String {
        // Keep only the last path component, whatever the separator.
        let lastComponent = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let banned: Set<Unicode.Scalar> = ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
                                           "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}"]
        var scalars = String.UnicodeScalarView()
        for scalar in lastComponent.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || banned.contains(scalar) {
                continue
            }
            scalars.append([":", "*", "?", "\"", "<", ">", "|"].contains(scalar) ? "_" : scalar)
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        name = name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { name = "file" }
        if name.count > maxLength {
            // Keep the extension, which tells the recipient what opens it.
            let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!.prefix(16)) : ""
            let stem = String(name.prefix(maxLength - ext.count - 1))
            name = ext.isEmpty ? String(name.prefix(maxLength)) : "\(stem).\(ext)"
        }
        return name
    }

    /// An ASCII-only fallback for the plain `filename=` parameter of Content-Disposition.
    public static func asciiFallback(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            (scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != ";" && scalar != "%")
                ? Character(scalar) : "_"
        }
        return String(mapped)
    }
}
