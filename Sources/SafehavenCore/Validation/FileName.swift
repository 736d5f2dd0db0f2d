import Foundation

/// Makes an uploaded file name safe to store and to offer back for download. The name is only a
/// label (blobs are stored by id), but it is echoed in headers, pages and archives, so it is put in
/// Unicode NFC, loses path parts, control, format (bidirectional overrides, zero-width joiners…)
/// and line or paragraph separator characters and trailing dots and spaces (which Windows drops),
/// and is bounded in UTF-8 bytes, the measure file systems and ZIP headers use.
public enum FileName {
    /// The most UTF-8 bytes a name keeps.
    public static let maxLength = 200

    public static func sanitise(_ raw: String) -> String {
        let normalised = raw.precomposedStringWithCanonicalMapping
        // Keep only the last path component, whatever the separator.
        let lastComponent = normalised.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var scalars = String.UnicodeScalarView()
        for scalar in lastComponent.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                continue
            default:
                scalars.append([":", "*", "?", "\"", "<", ">", "|"].contains(scalar) ? "_" : scalar)
            }
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        name = trimEnd(name)
        if name.isEmpty { name = "file" }
        if name.utf8.count > maxLength {
            // Keep the extension, which tells the recipient what opens it.
            let parts = name.split(separator: ".")
            let ext = parts.count > 1 ? String(parts.last!.prefix(16)) : ""
            let room = ext.isEmpty ? maxLength : maxLength - ext.utf8.count - 1
            name = trimEnd(prefix(name, bytes: room)) + (ext.isEmpty ? "" : ".\(ext)")
        }
        return name
    }

    /// The longest run of whole characters from the start that fits in `bytes` UTF-8 bytes.
    static func prefix(_ text: String, bytes: Int) -> String {
        var out = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= bytes else { break }
            out.append(character)
            used += size
        }
        return out
    }

    /// Without trailing dots and spaces.
    static func trimEnd(_ text: String) -> String {
        var out = text
        while let last = out.last, last == "." || last.isWhitespace { out.removeLast() }
        return out
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
