import ArgumentParser
import Foundation
import SafehavenArchive
import SafehavenCLI
import SafehavenCore
import SafehavenServer

struct Archive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make and open 256-bit AES ZIP archives (WinZip AE-2) for people without an account.",
        subcommands: [Create.self, Extract.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put files or folders in an encrypted archive.")
        @Option(help: "The archive to write (must not exist).") var out: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        @Flag(help: "Generate a strong password and print it once.") var generate = false
        @Option(help: "If a file name identifies someone (names show without the password): refuse (default), wrap everything in an inner archive named contents.zip, or allow.")
        var names: String = "refuse"
        @Option(name: .customLong("about"), help: "Name of a person the files are about, to keep out of file names (repeatable).")
        var about: [String] = []
        @Argument(help: "Files or folders to include.") var paths: [String]

        func validate() throws {
            if ArchiveNames.Identifying(rawValue: names) == nil { throw ValidationError("--names is refuse, wrap or allow") }
            if passwordStdin == generate { throw ValidationError("give exactly one of --password-stdin or --generate") }
        }

        func run() throws {
            do {
                let password = generate ? Commands.generateArchivePassword() : try readPassword()
                let names = try Commands.createArchive(out: out, paths: paths, password: password,
                                                       names: ArchiveNames.Identifying(rawValue: self.names) ?? .refuse, about: about)
                if generate { print(password) }
                FileHandle.standardError.write(Data("""
                    Wrote \(out) with \(names.count) file\(names.count == 1 ? "" : "s").
                    Send the password by another channel: telephone the recipient on a number you have checked and read it out. Never put it in the same email as the archive.

                    """.utf8))
            } catch {
                throw fail(error)
            }
        }
    }

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an encrypted archive into a folder.")
        @Argument var archive: String
        @Option(help: "Folder to extract into (created if missing; nothing is overwritten).") var out: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        @Option(name: .customLong("max-ratio"), help: "Largest expansion ratio allowed for one entry.") var maxRatio: UInt64?
        @Option(name: .customLong("max-bytes"), help: "Largest total size allowed when extracted.") var maxBytes: UInt64?

        func run() throws {
            do {
                var limits = ExtractionLimits()
                if let maxRatio { limits.maxRatio = maxRatio }
                if let maxBytes { limits.maxTotalBytes = maxBytes }
                let names = try Commands.extractArchive(archive, to: out, password: try readPassword(), limits: limits)
                for name in names { print(name) }
            } catch {
                throw fail(error)
            }
        }
    }
}

/// A password from standard input (one line), or from the terminal without echo.
func readPassword() throws -> String {
    if isatty(0) != 0, let typed = getpass("Password: ") {
        return String(cString: typed)
    }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ConfigError("no password on standard input") }
    return line
}
