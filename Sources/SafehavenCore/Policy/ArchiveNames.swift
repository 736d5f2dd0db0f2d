import Foundation

/// File names inside a ZIP archive can be read without its password, so they must not identify
/// anyone, and no two may be the same.
public enum ArchiveNames {
    /// What to do when an entry's name identifies a person.
    public enum Identifying: String, Sendable, CaseIterable {
        /// Refuse, naming what was found (the default).
        case refuse
        /// Put every file in an inner archive with a neutral name, so only that name shows.
        case wrap
        /// Keep the names as they are (the sender has decided they are safe).
        case allow
    }

    /// The neutral name of the inner archive when files are wrapped.
    public static let innerName = "contents.zip"

    /// Findings in each entry name (every path component), for the people named in `about`.
    public static func identifying(_ names: [String], about: [String] = []) -> [(name: String, found: [PersonalDataFinding])] {
        let scanner = PersonalDataScanner(names: about)
        return names.compactMap { name in
            // Separators and the extension are not part of what a person wrote.
            let text = name.replacingOccurrences(of: "/", with: " ").replacingOccurrences(of: "_", with: " ")
            let found = scanner.scan(text)
            return found.isEmpty ? nil : (name, found)
        }
    }

    /// The error for names that identify someone, naming where without repeating what.
    public static func refusal(_ found: [(name: String, found: [PersonalDataFinding])]) -> SafehavenError {
        let first = found.prefix(3).map { "\"\($0.name)\" (\($0.found.map(\.kind.rawValue).joined(separator: ", ")))" }
        return SafehavenError(.unprocessable, code: "identifying_file_names",
                              message: "File names in an archive can be read without its password, and these identify someone: "
                                + first.joined(separator: "; ") + (found.count > 3 ? " and \(found.count - 3) more" : "")
                                + ". Rename the files, wrap them in an inner archive, or confirm the names are safe to show.")
    }

    /// Later duplicates (compared without case, as Windows and macOS do) become "name (2).ext", "name (3).ext"…
    public static func unique(_ name: String, used: inout Set<String>) -> String {
        var candidate = name
        var n = 2
        while used.contains(candidate.lowercased()) {
            let ext = (name as NSString).pathExtension
            let stem = (name as NSString).deletingPathExtension
            candidate = ext.isEmpty ? "\(stem) (\(n))" : "\(stem) (\(n)).\(ext)"
            n += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }
}
