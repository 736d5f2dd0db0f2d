import Foundation
import SafehavenArchive
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
#if canImport(Glibc)
import Glibc
#endif

/// `safehaven archive create | extract`.
extension Commands {
    /// Generated archive passwords: 30 characters without look-alikes in six groups, about 148 bits.
    public static func generateArchivePassword(random: any RandomSource = SystemRandomSource()) -> String {
        PasswordGenerator.generate(random: random, groups: 6, groupLength: 5)
    }

    /// Writes `paths` (files, or folders taken recursively) into a new archive at `out`. A path
    /// given relative to the current folder keeps that path as its name (as `zip` and 7-Zip do);
    /// an absolute one is named from its last part. Two entries never share a name. Names that
    /// identify someone are refused unless `names` says to wrap them in an inner archive or allow
    /// them. The output is written beside its final name and renamed into place only when complete.
    public static func createArchive(out: String, paths: [String], password: String, names policy: ArchiveNames.Identifying = .refuse,
                                     about: [String] = [], random: any RandomSource = SystemRandomSource(),
                                     now: Date = Date()) throws -> [String] {
        try PasswordPolicy.checkArchive(password)
        guard !paths.isEmpty else { throw ConfigError("name at least one file or folder to put in the archive") }
        let fm = FileManager.default
        guard !fm.fileExists(atPath: out) else { throw ArchiveError.outputExists(out) }
        var files: [(URL, String)] = []
        for path in paths {
            var isDir: ObjCBool = false
            let url = URL(fileURLWithPath: path).standardizedFileURL
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { throw ConfigError("\(path) does not exist") }
            let given = entryPrefix(for: path)
            if isDir.boolValue {
                let walker = fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [])
                while let item = walker?.nextObject() as? URL {
                    guard (try? item.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                    let inside = String(item.standardizedFileURL.path.dropFirst(url.path.count + 1))
                    files.append((item, given + "/" + inside))
                }
            } else {
                files.append((url, given))
            }
        }
        files.sort { $0.1 < $1.1 }
        var used = Set<String>()
        files = files.map { ($0.0, ArchiveNames.unique($0.1, used: &used)) }
        let identifying = ArchiveNames.identifying(files.map(\.1), about: about)
        if !identifying.isEmpty && policy == .refuse { throw ArchiveNames.refusal(identifying) }
        let temp = out + ".partial"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigError("cannot write \(out)") }
        do {
            let writer = AESZipWriter(password: password, random: random) { try writeAll(fd, $0) }
            if policy == .wrap {
                let outer = try writer.beginEntry(name: ArchiveNames.innerName, modified: now, compress: false)
                let inner = AESZipWriter(password: password, random: random) { try outer.write($0) }
                try add(files, to: inner, now: now)
                try inner.finish()
                try outer.finish()
            } else {
                try add(files, to: writer, now: now)
            }
            try writer.finish()
            fsync(fd)
            close(fd)
            guard rename(temp, out) == 0 else { throw ConfigError("cannot move the archive into place") }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        return policy == .wrap ? [ArchiveNames.innerName] : files.map(\.1)
    }

    /// The name a path given on the command line takes in the archive: as typed when relative
    /// (without `./` and without any `..`), its last part when absolute or climbing out.
    public static func entryPrefix(for path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        if path.hasPrefix("/") || parts.contains("..") || parts.isEmpty {
            return URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        }
        return parts.joined(separator: "/")
    }

    static func add(_ files: [(URL, String)], to writer: AESZipWriter, now: Date) throws {
        let fm = FileManager.default
        for (url, name) in files {
            let modified = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? now
            let entry = try writer.beginEntry(name: name, modified: modified)
            let input = open(url.path, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw ConfigError("cannot read \(url.path)") }
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
                if n < 0 { throw ConfigError("cannot read \(url.path)") }
                if n == 0 { break }
                try entry.write(Array(buffer[0..<n]))
            }
            try entry.finish()
        }
    }

    public static func extractArchive(_ path: String, to directory: String, password: String,
                                      limits: ExtractionLimits = ExtractionLimits()) throws -> [String] {
        let reader = try AESZipReader(path: path, limits: limits)
        return try reader.extract(to: URL(fileURLWithPath: directory), password: password, limits: limits)
    }
}
