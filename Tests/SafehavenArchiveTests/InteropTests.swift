import Foundation
import SafehavenArchive
import SafehavenCrypto
import Testing

/// Archives must open in the tools recipients really use, and theirs in ours. `scripts/test`
/// installs 7-Zip and pyzipper and sets SAFEHAVEN_TEST_REQUIRE_INTEROP=1, so a missing tool fails
/// there instead of skipping.
@Suite struct InteropTests {
    static var required: Bool { ProcessInfo.processInfo.environment["SAFEHAVEN_TEST_REQUIRE_INTEROP"] == "1" }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String], cwd: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = args
        process.currentDirectoryURL = cwd
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static var pyzipperAvailable: Bool {
        guard let python = which("python3") else { return false }
        return (try? run(python, ["-c", "import pyzipper"], cwd: FileManager.default.temporaryDirectory).0) == 0
    }

    let files: [(String, [UInt8])] = [("docs/report.txt", ArchiveFixture.text(400_000)), ("docs/scan.bin", SeededRandomSource(seed: 4).bytes(150_000)),
                                      ("empty.txt", []), ("one.txt", [65])]

    @Test func sevenZipOpensOursAndRejectsWrongPasswordsAndTampering() throws {
        guard let sevenZip = Self.which("7z") else {
            #expect(!Self.required, "7z is required by scripts/test")
            return
        }
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = try ArchiveFixture.make(files)
        _ = try ArchiveFixture.file(zip, in: dir)
        let (status, output) = try Self.run(sevenZip, ["x", "-p\(ArchiveFixture.password)", "-oout", "a.zip"], cwd: dir)
        #expect(status == 0, "\(output)")
        for (name, bytes) in files { #expect(Array(try Data(contentsOf: dir.appendingPathComponent("out/\(name)"))) == bytes, "\(name)") }
        #expect(try Self.run(sevenZip, ["t", "-pwrong-password-entirely", "a.zip"], cwd: dir).0 != 0)
        var bad = zip
        bad[200] ^= 0x04
        _ = try ArchiveFixture.file(bad, in: dir, name: "bad.zip")
        #expect(try Self.run(sevenZip, ["t", "-p\(ArchiveFixture.password)", "bad.zip"], cwd: dir).0 != 0)
    }

    @Test(arguments: ["-mx0", "-mx5"])
    func weOpenSevenZipArchives(level: String) throws {
        guard let sevenZip = Self.which("7z") else {
            #expect(!Self.required, "7z is required by scripts/test")
            return
        }
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in files {
            let url = dir.appendingPathComponent("src/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let (status, output) = try Self.run(sevenZip, ["a", "-tzip", "-mem=AES256", level, "-p\(ArchiveFixture.password)", "b.zip", "src"], cwd: dir)
        #expect(status == 0, "\(output)")
        let reader = try AESZipReader(path: dir.appendingPathComponent("b.zip").path)
        try reader.extract(to: dir.appendingPathComponent("out"), password: ArchiveFixture.password)
        for (name, bytes) in files { #expect(Array(try Data(contentsOf: dir.appendingPathComponent("out/src/\(name)"))) == bytes) }
        #expect(throws: ArchiveError.wrongPassword) {
            try AESZipReader(path: dir.appendingPathComponent("b.zip").path).extract(to: dir.appendingPathComponent("w"), password: "wrong-password-entirely")
        }
        // A tampered 7-Zip archive is refused and leaves nothing behind.
        var tampered = Array(try Data(contentsOf: dir.appendingPathComponent("b.zip")))
        let entry = try AESZipReader(path: dir.appendingPathComponent("b.zip").path).entries.first { $0.name.hasSuffix("report.txt") }!
        tampered[Int(entry.localOffset) + 30 + entry.name.utf8.count + 11 + 18 + 100] ^= 0x01
        try Data(tampered).write(to: dir.appendingPathComponent("t.zip"))
        #expect(throws: ArchiveError.self) {
            try AESZipReader(path: dir.appendingPathComponent("t.zip").path).extract(to: dir.appendingPathComponent("t"), password: ArchiveFixture.password)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t/src/docs/report.txt").path))
        // ZipCrypto and unencrypted archives are reported, not opened.
        try Self.run(sevenZip, ["a", "-tzip", "-p\(ArchiveFixture.password)", "zc.zip", "src"], cwd: dir)
        #expect(throws: ArchiveError.self) { try AESZipReader(path: dir.appendingPathComponent("zc.zip").path) }
        try Self.run(sevenZip, ["a", "-tzip", "plain.zip", "src"], cwd: dir)
        #expect(throws: ArchiveError.self) { try AESZipReader(path: dir.appendingPathComponent("plain.zip").path) }
    }

    @Test func pyzipperBothWays() throws {
        guard Self.pyzipperAvailable, let python = Self.which("python3") else {
            #expect(!Self.required, "pyzipper is required by scripts/test")
            return
        }
        let dir = ArchiveFixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try ArchiveFixture.file(try ArchiveFixture.make(files), in: dir)
        let script = """
            import pyzipper, sys, hashlib
            with pyzipper.AESZipFile('a.zip') as z:
                z.setpassword(sys.argv[1].encode())
                for n in z.namelist():
                    print(n, hashlib.sha256(z.read(n)).hexdigest())
            with pyzipper.AESZipFile('p.zip', 'w', compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as z:
                z.setpassword(sys.argv[1].encode())
                z.writestr('deflated.txt', b'hello ' * 10000)
                z.writestr('stored.bin', bytes(range(256)) * 10, compress_type=pyzipper.ZIP_STORED)
                z.writestr('empty.txt', b'')
            """
        let (status, output) = try Self.run(python, ["-c", script, ArchiveFixture.password], cwd: dir)
        #expect(status == 0, "\(output)")
        for (name, bytes) in files {
            #expect(output.contains("\(name) \(Encoding.hex(SHA256Digest(bytes)))"), "\(name)")
        }
        let reader = try AESZipReader(path: dir.appendingPathComponent("p.zip").path)
        try reader.extract(to: dir.appendingPathComponent("out"), password: ArchiveFixture.password)
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/deflated.txt")) == Data(String(repeating: "hello ", count: 10000).utf8))
        #expect(Array(try Data(contentsOf: dir.appendingPathComponent("out/stored.bin"))) == Array((0..<10).flatMap { _ in (0...255).map(UInt8.init) }))
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/empty.txt")).isEmpty)
        let (badStatus, _) = try Self.run(python, ["-c", """
            import pyzipper
            with pyzipper.AESZipFile('a.zip') as z:
                z.setpassword(b'wrong-password-entirely')
                z.read('one.txt')
            """], cwd: dir)
        #expect(badStatus != 0)
        // pyzipper refuses our archive once a ciphertext byte is flipped.
        var tampered = try ArchiveFixture.make(files)
        let first = try AESZipReader(path: dir.appendingPathComponent("a.zip").path).entries[0]
        tampered[Int(first.localOffset) + 30 + first.name.utf8.count + 31 + 18 + 50] ^= 0x01
        _ = try ArchiveFixture.file(tampered, in: dir, name: "t.zip")
        let (tamperedStatus, _) = try Self.run(python, ["-c", """
            import pyzipper, sys
            with pyzipper.AESZipFile('t.zip') as z:
                z.setpassword(sys.argv[1].encode())
                z.read('docs/report.txt')
            """, ArchiveFixture.password], cwd: dir)
        #expect(tamperedStatus != 0)
    }
}

func SHA256Digest(_ bytes: [UInt8]) -> [UInt8] {
    var d = SHA256Digester()
    d.update(bytes)
    return Encoding.fromHex(d.finalizeHex()) ?? []
}
