import Foundation
import SafehavenArchive
import SafehavenCrypto
import Testing

/// Helpers: write archives into memory, read them from a temp file.
enum ArchiveFixture {
    static let password = "quartz-meadow-lantern-harbour-71"

    static func make(_ files: [(String, [UInt8])], password: String = password, compress: Bool? = nil, seed: UInt64 = 1) throws -> [UInt8] {
        var out: [UInt8] = []
        let writer = AESZipWriter(password: password, random: SeededRandomSource(seed: seed)) { out += $0 }
        for (name, bytes) in files {
            let entry = try writer.beginEntry(name: name, modified: Date(timeIntervalSince1970: 1_790_000_000), compress: compress)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + 70_001)
                try entry.write(Array(bytes[offset..<end]))
                offset = end
            }
            try entry.finish()
        }
        try writer.finish()
        return out
    }

    static func tempDir() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func file(_ bytes: [UInt8], in dir: URL, name: String = "a.zip") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func text(_ n: Int) -> [UInt8] { Array(String(repeating: "The quick brown fox. ", count: n / 21 + 1).utf8.prefix(n)) }
}

@Suite struct ArchiveRoundTripTests {
    @Test(arguments: [nil, true, false] as [Bool?])
    func writesAndReadsBack(compress: Bool?) throws {
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files: [(String, [UInt8])] = [("notes/minutes.txt", ArchiveFixture.text(300_000)), ("empty.txt", []),
                                         ("scan.bin", SeededRandomSource(seed: 9).bytes(200_001)), ("naïve café.txt", Array("x".utf8))]
        let zip = try ArchiveFixture.make(files, compress: compress)
        let reader = try AESZipReader(path: try ArchiveFixture.file(zip, in: dir))
        #expect(reader.entries.map(\.name) == files.map(\.0))
        #expect(reader.entries.allSatisfy { $0.aesVersion == 2 && $0.crc == 0 })
        if compress == nil {
            #expect(reader.entries.map(\.method) == [8, 0, 0, 0], "text deflated, random and tiny stored")
        }
        let out = dir.appendingPathComponent("out")
        #expect(try reader.extract(to: out, password: ArchiveFixture.password) == files.map(\.0))
        for (name, bytes) in files {
            #expect(Array(try Data(contentsOf: out.appendingPathComponent(name))) == bytes)
        }
    }

    @Test func wrongPasswordFailsBeforeAnyOutput() throws {
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reader = try AESZipReader(path: try ArchiveFixture.file(try ArchiveFixture.make([("a.txt", ArchiveFixture.text(1000))]), in: dir))
        let out = dir.appendingPathComponent("out")
        #expect(throws: ArchiveError.wrongPassword) { try reader.extract(to: out, password: "not-the-password-at-all") }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func neverOverwritesExistingFiles() throws {
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reader = try AESZipReader(path: try ArchiveFixture.file(try ArchiveFixture.make([("a.txt", [1])]), in: dir))
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: out.appendingPathComponent("a.txt"))
        #expect(throws: ArchiveError.outputExists("a.txt")) { try reader.extract(to: out, password: ArchiveFixture.password) }
        #expect(try String(contentsOf: out.appendingPathComponent("a.txt"), encoding: .utf8) == "mine")
    }

    @Test func writerRefusesUnsafeNames() throws {
        for name in ["../x", "/etc/passwd", "C:\\x", "a\\b", "", "a/../b", "dir/"] {
            #expect(throws: ArchiveError.self, "\(name)") { try ArchiveFixture.make([(name, [1])]) }
        }
    }
}

/// Archives that are damaged or built to attack the reader.
@Suite struct HostileArchiveTests {
    func extract(_ bytes: [UInt8], limits: ExtractionLimits = ExtractionLimits()) throws -> (URL, Error?) {
        let dir = ArchiveFixture.tempDir()
        let out = dir.appendingPathComponent("out")
        do {
            let reader = try AESZipReader(path: try ArchiveFixture.file(bytes, in: dir), limits: limits)
            try reader.extract(to: out, password: ArchiveFixture.password, limits: limits)
            return (out, nil)
        } catch {
            return (out, error)
        }
    }

    func leftovers(_ out: URL) -> [String] {
        let all = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String]) ?? []
        return all.filter { !$0.hasSuffix("/") && !((try? FileManager.default.attributesOfItem(atPath: out.appendingPathComponent($0).path)[.type] as? FileAttributeType) == .typeDirectory) }
    }

    /// Replaces every occurrence of `from` by `to` (same length) in the archive bytes.
    func patch(_ bytes: [UInt8], _ from: String, _ to: String) -> [UInt8] {
        let f = Array(from.utf8), t = Array(to.utf8)
        precondition(f.count == t.count)
        var out = bytes
        var i = 0
        while i + f.count <= out.count {
            if Array(out[i..<i + f.count]) == f { out.replaceSubrange(i..<i + f.count, with: t); i += f.count } else { i += 1 }
        }
        return out
    }

    @Test func aFlippedBitAnywhereInTheDataIsRejectedAndLeavesNothing() throws {
        let original = try ArchiveFixture.make([("a.txt", ArchiveFixture.text(200_000)), ("b.bin", SeededRandomSource(seed: 3).bytes(100_000))])
        let reader = try AESZipReader(path: try ArchiveFixture.file(original, in: ArchiveFixture.tempDir()))
        // Flip bits throughout each entry's encrypted data and authentication code.
        for entry in reader.entries {
            let nameLength = entry.name.utf8.count
            let dataStart = Int(entry.localOffset) + 30 + nameLength + 31 + 18
            let dataEnd = Int(entry.localOffset) + 30 + nameLength + 31 + Int(entry.compressedSize)
            for position in [dataStart, dataStart + 1, (dataStart + dataEnd) / 2, dataEnd - 11, dataEnd - 1] {
                var bad = original
                bad[position] ^= 0x10
                let (out, error) = try extract(bad)
                #expect(error != nil, "flip at \(position) accepted")
                #expect(leftovers(out).isEmpty || leftovers(out) == ["a.txt"] && entry.name == "b.bin", "partial output after flip at \(position)")
            }
        }
    }

    @Test func flippedSaltOrVerifierIsRejected() throws {
        let original = try ArchiveFixture.make([("a.txt", ArchiveFixture.text(5000))])
        for position in [30 + 5 + 31, 30 + 5 + 31 + 16] {
            var bad = original
            bad[position] ^= 0x01
            let (out, error) = try extract(bad)
            #expect(error != nil)
            #expect(leftovers(out).isEmpty)
        }
    }

    @Test func truncatedArchivesAreRejected() throws {
        let original = try ArchiveFixture.make([("a.txt", ArchiveFixture.text(50_000))])
        for cut in [10, 100, original.count / 2, original.count - 30, original.count - 1] {
            let (out, error) = try extract(Array(original.prefix(cut)))
            #expect(error != nil, "cut at \(cut)")
            #expect(leftovers(out).isEmpty)
        }
    }

    @Test(arguments: [("aa/x.txt", "../x.txt"), ("xxxx/etc.txt", "/etc/pass.txt".prefix(12).description), ("ab.txt", "C:.txt"),
                      ("ab/c.txt", "ab\\c.txt"), ("abc/d.txt", "./../d.txt".prefix(9).description)])
    func escapingNamesAreRefusedBeforeAnythingIsWritten(safe: String, hostile: String) throws {
        guard safe.utf8.count == hostile.utf8.count else { return }
        let bytes = patch(try ArchiveFixture.make([("first.txt", [1]), (safe, [2])]), safe, hostile)
        let (out, error) = try extract(bytes)
        guard case ArchiveError.unsafeName? = error as? ArchiveError else {
            Issue.record("expected unsafeName for \(hostile), got \(String(describing: error))")
            return
        }
        #expect(leftovers(out).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("x.txt").path))
    }

    @Test func symbolicLinksAreRefused() throws {
        var bytes = try ArchiveFixture.make([("link", Array("/etc/passwd".utf8))])
        // External attributes of the central entry: mark it a symbolic link.
        let central = bytes.indices.last { i in i + 4 <= bytes.count && Array(bytes[i..<i + 4]) == [0x50, 0x4b, 0x01, 0x02] }!
        bytes[central + 40] = 0xFF; bytes[central + 41] = 0xA1
        let (_, error) = try extract(bytes)
        #expect(error as? ArchiveError == .unsafeName("link"))
    }

    @Test func zipBombsAreStopped() throws {
        let zeros = [UInt8](repeating: 0, count: 20_000_000)
        let bytes = try ArchiveFixture.make([("bomb.bin", zeros)], compress: true)
        var limits = ExtractionLimits()
        limits.maxRatio = 100
        let (out, error) = try extract(bytes, limits: limits)
        #expect(error as? ArchiveError == .suspiciousRatio("bomb.bin"))
        #expect(leftovers(out).isEmpty)
        var small = ExtractionLimits()
        small.maxTotalBytes = 1_000_000
        #expect(try extract(bytes, limits: small).1 as? ArchiveError == .tooLarge("(all entries)"))
        var few = ExtractionLimits()
        few.maxEntries = 2
        let many = try ArchiveFixture.make((0..<3).map { ("f\($0).txt", [UInt8($0)]) })
        #expect(try extract(many, limits: few).1 as? ArchiveError == .tooManyEntries(3))
    }

    @Test func garbageIsNotAZip() throws {
        #expect(try extract(Array("hello".utf8)).1 as? ArchiveError == .notAZip)
        #expect(try extract(SeededRandomSource(seed: 5).bytes(10_000)).1 as? ArchiveError == .notAZip)
    }
}
