import Foundation
@testable import SafehavenArchive
import SafehavenCrypto
import Testing

/// The worked example in docs/formats.md, computed independently with Python's hashlib and the
/// `cryptography` package.
@Suite struct KnownAnswerTests {
    @Test func workedExampleFromTheFormatDocument() throws {
        var encryptor = try EntryEncryptor(password: "safehaven-example-2026", salt: Array(0..<16))
        #expect(Encoding.hex(encryptor.header) == "000102030405060708090a0b0c0d0e0f" + "a674")
        let cipher = try encryptor.encrypt(Array("Hello".utf8))
        #expect(Encoding.hex(cipher) == "1253fb3d05")
        #expect(Encoding.hex(encryptor.authenticationCode()) == "246cd19d43c72ccfe825")
        var decryptor = try EntryDecryptor(password: "safehaven-example-2026", salt: Array(0..<16), verifier: [0xa6, 0x74])
        #expect(String(decoding: try decryptor.decrypt(cipher), as: UTF8.self) == "Hello")
        try decryptor.verify(Encoding.fromHex("246cd19d43c72ccfe825")!)
        #expect(throws: ArchiveError.wrongPassword) { try EntryDecryptor(password: "safehaven-example-2027", salt: Array(0..<16), verifier: [0xa6, 0x74]) }
    }

    @Test func keystreamCrossesBatchBoundariesCorrectly() throws {
        // Encrypt in odd-sized pieces across several keystream batches; decrypting in one piece must match.
        let plain = SeededRandomSource(seed: 12).bytes(WinZipCTR.batchBlocks * 16 * 2 + 37)
        var a = try EntryEncryptor(password: "p-a-s-s-w-o-r-d-1", salt: Array(0..<16))
        var cipher: [UInt8] = []
        var offset = 0
        for size in [1, 15, 16, 17, 65_535, 65_537, 3] + Array(repeating: 50_000, count: 10) where offset < plain.count {
            let end = min(plain.count, offset + size)
            cipher += try a.encrypt(Array(plain[offset..<end]))
            offset = end
        }
        if offset < plain.count { cipher += try a.encrypt(Array(plain[offset...])) }
        var d = try EntryDecryptor(password: "p-a-s-s-w-o-r-d-1", salt: Array(0..<16), verifier: Array(a.header[16...]))
        #expect(try d.decrypt(cipher) == plain)
        try d.verify(a.authenticationCode())
    }
}
