import Foundation
@testable import SafehavenCore
import Testing

/// Our QR encoder, checked by decoding its output with a real reader (`zbarimg`, Debian's
/// zbar-tools; `scripts/test` installs it).
@Suite struct QRCodeTests {
    /// The code as a greyscale PGM image, four modules of quiet zone, 8 pixels a module.
    static func pgm(_ code: QRCode) -> Data {
        let scale = 8, quiet = 4, side = (code.size + 2 * quiet) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for (y, row) in code.modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                for dy in 0..<scale { for dx in 0..<scale { pixels[((y + quiet) * scale + dy) * side + (x + quiet) * scale + dx] = 0 } }
            }
        }
        return Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)
    }

    static func decode(_ code: QRCode) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        try pgm(code).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["zbarimg", "--quiet", "--raw", file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return "" }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    static var readerAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg") }

    @Test(arguments: [
        "A", "hello",
        "otpauth://totp/Safehaven:alice%40merton.gov.uk?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Safehaven&algorithm=SHA1&digits=6&period=30",
        String(repeating: "x", count: 60), String(repeating: "0123456789", count: 15), String(repeating: "é", count: 100),
        String(repeating: "q", count: 213),
    ])
    func aRealReaderDecodesWhatWeEncode(text: String) throws {
        let code = try QRCode(text)
        #expect(code.size >= 21 && code.size <= 57)
        guard Self.readerAvailable else {
            if ProcessInfo.processInfo.environment["SAFEHAVEN_TEST_REQUIRE_INTEROP"] == "1" { Issue.record("zbarimg is missing") }
            return
        }
        #expect(try Self.decode(code) == text, "version \((code.size - 17) / 4)")
    }

    @Test func tooLongIsRefused() {
        #expect(throws: QRCode.Failure.tooLong) { try QRCode(String(repeating: "q", count: 214)) }
    }

    @Test func reedSolomonMatchesAKnownAnswer() {
        // ISO/IEC 18004 annex I example: "01234567" in version 1-M, data codewords and their 10 EC codewords.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        #expect(ReedSolomon.remainder(data, degree: 10) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func svgIsSelfContainedAndLabelled() throws {
        let svg = try QRCode("otpauth://totp/x").svg(label: "Code for \"Safehaven\" <app>")
        #expect(svg.hasPrefix("<svg") && svg.contains("role=\"img\"") && svg.contains("&quot;Safehaven&quot; &lt;app>"))
        #expect(!svg.contains("<script") && !svg.contains("style="))
    }
}
