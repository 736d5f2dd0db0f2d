import Foundation
import NIOCore
@testable import SafehavenServer
import SafehavenCore
import SafehavenCrypto
import SafehavenTestSupport
import Testing

/// The multipart reader is the first code an uploader's bytes reach: whatever they send, it reads
/// a good body the same way however it is cut into pieces, and refuses a bad one without trapping.
@Suite struct MultipartReaderTests {
    struct Part: Equatable {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
    }

    /// Feeds `body` in pieces of the sizes `random` picks and collects the parts.
    func read(_ body: [UInt8], boundary: String, random: SeededRandomSource, maxPiece: Int) throws -> ([Part], Bool) {
        var reader = MultipartReader(boundary: boundary)
        var parts: [Part] = []
        var current = Part()
        var offset = 0
        while offset < body.count {
            let size = 1 + Int(random.bytes(2).reduce(0) { $0 << 8 | Int($1) }) % maxPiece
            let piece = Array(body[offset..<min(body.count, offset + size)])
            offset += piece.count
            for event in try reader.feed(ByteBuffer(bytes: piece)) {
                switch event {
                case .header(let name, let value): current.headers[name.lowercased()] = value
                case .body(let chunk): current.body += Array(chunk.readableBytesView)
                case .partComplete:
                    parts.append(current)
                    current = Part()
                }
            }
        }
        return (parts, reader.isComplete)
    }

    @Test(arguments: [1, 7, 64, 4096, 100_000])
    func readsTheSamePartsHoweverTheBodyIsCut(maxPiece: Int) throws {
        let random = SeededRandomSource(seed: UInt64(maxPiece))
        // Content full of near-misses: CR, LF, dashes and most of the boundary.
        var content = random.bytes(50_000)
        let boundary = "safehaven-test-boundary-7d1e"
        for position in stride(from: 100, to: 49_000, by: 997) {
            content.replaceSubrange(position..<position + 20, with: Array("\r\n--safehaven-test-b".utf8))
        }
        var body = MultipartBody(boundary: boundary)
        body.addJSON(["subject": "Papers"])
        body.add(name: "file", filename: "naïve report.pdf", contentType: "application/pdf", Data(content))
        body.add(name: "file", filename: "empty.txt", Data())
        let (parts, complete) = try read(Array(body.finished()), boundary: boundary, random: random, maxPiece: maxPiece)
        #expect(complete)
        #expect(parts.count == 3)
        #expect(parts[0].headers["content-type"] == "application/json")
        #expect(parts[1].body == content)
        #expect(parts[1].headers["content-disposition"] == "form-data; name=\"file\"; filename=\"naïve report.pdf\"")
        #expect(parts[2].body.isEmpty)
    }

    @Test(arguments: [
        "--b\r\n\u{80}x: y\r\n\r\nz\r\n--b--\r\n",       // a byte above 0x7F in a header name: trapped multipart-kit
        "--b\r\n: y\r\n\r\nz\r\n--b--\r\n",              // no name
        "--b\r\nname y\r\n\r\nz\r\n--b--\r\n",           // no colon
        "--b\r\nna me: y\r\n\r\nz\r\n--b--\r\n",         // space in a name
        "--b\r\nx: y\u{0}z\r\n\r\nz\r\n--b--\r\n",       // a control character in a value
        "--bjunk\r\nx: y\r\n\r\nz\r\n--b--\r\n",         // text after the boundary
    ])
    func refusesMalformedHeadersWithoutTrapping(body: String) {
        var bytes = Array(body.utf8)
        if let index = bytes.firstIndex(of: 0xC2) { bytes.remove(at: index) }  // a lone 0x80, not UTF-8
        var reader = MultipartReader(boundary: "b")
        #expect(throws: SafehavenError.self) { _ = try reader.feed(ByteBuffer(bytes: bytes)) }
    }

    @Test func boundsWhatIsNotContent() {
        var reader = MultipartReader(boundary: "b")
        #expect(throws: SafehavenError.self) { _ = try reader.feed(ByteBuffer(bytes: [UInt8](repeating: 0x41, count: 70_000))) }
        var long = MultipartReader(boundary: "b")
        #expect(throws: SafehavenError.self) {
            _ = try long.feed(ByteBuffer(bytes: Array("--b\r\nx: ".utf8) + [UInt8](repeating: 0x41, count: 20_000)))
        }
        var many = MultipartReader(boundary: "b")
        #expect(throws: SafehavenError.self) {
            _ = try many.feed(ByteBuffer(bytes: Array(("--b\r\n" + String(repeating: "x: y\r\n", count: 40)).utf8)))
        }
    }

    @Test func randomBytesNeverTrap() {
        let random = SeededRandomSource(seed: 99)
        let alphabet = Array("--b\r\n:; =\"xyz".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<5_000 {
            let length = Int(random.bytes(1)[0])
            let bytes = random.bytes(length).map { alphabet[Int($0) % alphabet.count] }
            var reader = MultipartReader(boundary: "b")
            _ = try? reader.feed(ByteBuffer(bytes: bytes))
        }
    }
}
