import Crypto
import Foundation
import SafehavenCrypto
import Testing

@Suite struct StreamFormatTests {
    let random = SeededRandomSource(seed: 7)
    var key: SymmetricKey { SymmetricKey(data: SeededRandomSource(seed: 99).bytes(32)) }

    let binding = BlobBinding.file(share: "s-1", file: "f-1")

    func seal(_ plaintext: [UInt8], pieces: Int = 3, binding: BlobBinding? = nil, legacy: Bool = false) throws -> [UInt8] {
        var sealer = legacy ? StreamSealer.legacyV1(dataKey: key, random: random)
                            : StreamSealer(dataKey: key, binding: binding ?? self.binding, random: random)
        var out: [UInt8] = []
        var offset = 0
        let step = max(1, plaintext.count / pieces + 1)
        while offset < plaintext.count {
            let end = min(plaintext.count, offset + step)
            out += try sealer.update(plaintext[offset..<end])
            offset = end
        }
        out += try sealer.finish()
        return out
    }

    func open(_ ciphertext: [UInt8], key: SymmetricKey? = nil, binding: BlobBinding? = nil, step: Int = 10_000) throws -> [UInt8] {
        var opener = StreamOpener(dataKey: key ?? self.key, binding: binding ?? self.binding)
        var out: [UInt8] = []
        var offset = 0
        while offset < ciphertext.count {
            let end = min(ciphertext.count, offset + step)
            out += try opener.update(ciphertext[offset..<end])
            offset = end
        }
        out += try opener.finish()
        return out
    }

    @Test(arguments: [0, 1, 100, 65_535, 65_536, 65_537, 131_072, 200_000])
    func roundTripsEverySize(size: Int) throws {
        let plaintext = SeededRandomSource(seed: UInt64(size)).bytes(size)
        let sealed = try seal(plaintext)
        #expect(Int64(sealed.count) == StreamFormat.sealedSize(plaintextSize: Int64(size)))
        #expect(try open(sealed) == plaintext)
        #expect(try open(sealed, step: 1_000_000) == plaintext)
    }

    @Test func sealingTwiceGivesDifferentCiphertext() throws {
        let plaintext = Array("same words".utf8)
        #expect(try seal(plaintext) != seal(plaintext))
    }

    /// A blob opens only as what it was sealed for: another file, another share, or the message.
    @Test func blobsAreBoundToTheirShareFileAndKind() throws {
        let plaintext = SeededRandomSource(seed: 5).bytes(70_000)
        let sealed = try seal(plaintext)
        #expect(try open(sealed) == plaintext)
        for other in [BlobBinding.file(share: "s-1", file: "f-2"), .file(share: "s-2", file: "f-1"), .message(share: "s-1"),
                      .file(share: "s-1f", file: "-1")] {
            #expect(throws: CryptoFailure.authenticationFailed) { try open(sealed, binding: other) }
        }
        #expect(sealed[4] == 2)
    }

    /// Version 1 blobs, written before bindings existed, still open (with any binding).
    @Test func version1BlobsStayReadable() throws {
        let plaintext = SeededRandomSource(seed: 6).bytes(100_000)
        let sealed = try seal(plaintext, legacy: true)
        #expect(sealed[4] == 1)
        #expect(try open(sealed) == plaintext)
        #expect(try open(sealed, binding: .message(share: "x")) == plaintext)
    }

    @Test func wrongKeyFails() throws {
        let sealed = try seal(Array(repeating: 1, count: 1000))
        #expect(throws: CryptoFailure.authenticationFailed) { try open(sealed, key: SymmetricKey(size: .bits256)) }
    }

    @Test(arguments: [0, 5, 10, 23, 24, 100, 65_560, 65_600, 131_000])
    func anyFlippedBitFails(position: Int) throws {
        var sealed = try seal(SeededRandomSource(seed: 3).bytes(150_000))
        sealed[position] ^= 0x01
        #expect(throws: CryptoFailure.self) { try open(sealed) }
    }

    @Test func truncationAtAChunkBoundaryFails() throws {
        let sealed = try seal(SeededRandomSource(seed: 4).bytes(3 * StreamFormat.chunkSize))
        let cut = Array(sealed.prefix(StreamFormat.headerSize + 2 * StreamFormat.sealedChunkSize))
        #expect(throws: CryptoFailure.authenticationFailed) { try open(cut) }
    }

    @Test func truncationMidChunkFails() throws {
        let sealed = try seal(SeededRandomSource(seed: 5).bytes(100_000))
        #expect(throws: CryptoFailure.authenticationFailed) { try open(Array(sealed.dropLast(7))) }
        #expect(throws: CryptoFailure.self) { try open(Array(sealed.prefix(10))) }
        #expect(throws: CryptoFailure.self) { try open([]) }
    }

    @Test func reorderedChunksFail() throws {
        let sealed = try seal(SeededRandomSource(seed: 6).bytes(3 * StreamFormat.chunkSize + 10))
        let h = StreamFormat.headerSize, c = StreamFormat.sealedChunkSize
        let swapped = Array(sealed[0..<h]) + Array(sealed[(h + c)..<(h + 2 * c)]) + Array(sealed[h..<(h + c)]) + Array(sealed[(h + 2 * c)...])
        #expect(swapped.count == sealed.count)
        #expect(throws: CryptoFailure.authenticationFailed) { try open(swapped) }
    }

    @Test func extendedStreamFails() throws {
        let sealed = try seal(SeededRandomSource(seed: 8).bytes(70_000))
        #expect(throws: CryptoFailure.authenticationFailed) { try open(sealed + [0]) }
        // Appending a chunk sealed for another stream with the same key still fails.
        let other = try seal(SeededRandomSource(seed: 9).bytes(10))
        #expect(throws: CryptoFailure.self) { try open(sealed + Array(other.dropFirst(StreamFormat.headerSize))) }
    }

    @Test func unknownVersionIsRefused() throws {
        var sealed = try seal([1, 2, 3])
        sealed[4] = 3
        #expect(throws: CryptoFailure.unsupportedFormat) { try open(sealed) }
    }
}

@Suite struct KeyEncryptionKeyTests {
    let random = SeededRandomSource(seed: 11)

    @Test func wrapsAndUnwrapsDataKeys() throws {
        let kek = try KeyEncryptionKey(encoded: KeyEncryptionKey.generateEncoded(random: random))
        let dataKey = KeyEncryptionKey.newDataKey(random: random)
        let wrapped = try kek.wrap(dataKey)
        #expect(wrapped.hasPrefix("kw1:"))
        let back = try kek.unwrap(wrapped)
        #expect(back.withUnsafeBytes { Array($0) } == dataKey.withUnsafeBytes { Array($0) })
    }

    @Test func anotherKEKCannotUnwrap() throws {
        let kek = try KeyEncryptionKey(bytes: random.bytes(32))
        let other = try KeyEncryptionKey(bytes: random.bytes(32))
        let wrapped = try kek.wrap(KeyEncryptionKey.newDataKey(random: random))
        #expect(throws: CryptoFailure.keyUnwrapFailed) { try other.unwrap(wrapped) }
        #expect(throws: CryptoFailure.malformedKey) { try kek.unwrap("nonsense") }
    }

    @Test func rejectsMalformedKeys() {
        #expect(throws: CryptoFailure.malformedKey) { try KeyEncryptionKey(encoded: "not base64!") }
        #expect(throws: CryptoFailure.malformedKey) { try KeyEncryptionKey(bytes: [1, 2, 3]) }
    }

    @Test func sealedSecretsAreBoundToTheirContext() throws {
        let kek = try KeyEncryptionKey(bytes: random.bytes(32))
        let sealed = try kek.sealSecret([9, 8, 7], context: "totp:u1", random: random)
        #expect(try kek.openSecret(sealed, context: "totp:u1") == [9, 8, 7])
        #expect(throws: CryptoFailure.authenticationFailed) { try kek.openSecret(sealed, context: "totp:u2") }
    }
}

@Suite struct PasswordAndTokenTests {
    @Test func hashesVerifyOnlyTheRightPassword() throws {
        let hasher = PasswordHasher(logN: 10, random: SeededRandomSource(seed: 1))
        let hash = try hasher.hash("violet-harbour-lantern-42")
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(hasher.verify("violet-harbour-lantern-42", against: hash))
        #expect(!hasher.verify("violet-harbour-lantern-43", against: hash))
        #expect(!hasher.verify("violet-harbour-lantern-42", against: "$scrypt$ln=99$x$y"))
        #expect(!hasher.verify("x", against: ""))
    }

    @Test func tokensAreLongRandomAndStoredAsHashes() {
        let random = SystemRandomSource()
        let a = Tokens.generate(random: random)
        let b = Tokens.generate(random: random)
        #expect(a.token != b.token)
        #expect(a.token.hasPrefix("shv_") && a.token.count >= 4 + 43)
        #expect(a.hash == Tokens.hash(a.token) && a.hash.count == 64 && !a.hash.contains(a.token))
    }

    @Test func totpMatchesRFC6238Vector() {
        // RFC 6238 appendix B, SHA-1 secret, T = 59 s → 94287082 (last six digits 287082).
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.code(counter: TOTP.counter(at: Date(timeIntervalSince1970: 59))) == "287082")
        #expect(totp.code(counter: TOTP.counter(at: Date(timeIntervalSince1970: 1_111_111_109))) == "081804")
        #expect(totp.matchingCounter("287082", at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(totp.matchingCounter("287082", at: Date(timeIntervalSince1970: 89)) == 1)
        #expect(totp.matchingCounter("287082", at: Date(timeIntervalSince1970: 200)) == nil)
        #expect(totp.matchingCounter("28708x", at: Date(timeIntervalSince1970: 59)) == nil)
        #expect(totp.provisioningURI(account: "a@b.uk").hasPrefix("otpauth://totp/Safehaven%3Aa%40b.uk?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
    }
}

@Suite struct AuditChainTests {
    @Test func chainLinksAndCheckpointsVerify() throws {
        let signer = try CheckpointSigner(seed: SeededRandomSource(seed: 2).bytes(32))
        let h1 = try AuditChain.next(previousHex: AuditChain.genesis, fields: ["1", "a"])
        let h2 = try AuditChain.next(previousHex: h1, fields: ["2", "b"])
        #expect(h1 != h2 && h1.count == 64)
        // Field boundaries matter: ("ab","") must not hash like ("a","b").
        #expect(try AuditChain.next(previousHex: h1, fields: ["ab", ""]) != AuditChain.next(previousHex: h1, fields: ["a", "b"]))
        let signature = try signer.sign(count: 2, headHex: h2)
        #expect(signer.verify(count: 2, headHex: h2, signatureHex: signature))
        #expect(!signer.verify(count: 3, headHex: h2, signatureHex: signature))
        #expect(!signer.verify(count: 2, headHex: h1, signatureHex: signature))
        let other = try CheckpointSigner(seed: SeededRandomSource(seed: 3).bytes(32))
        #expect(!other.verify(count: 2, headHex: h2, signatureHex: signature))
    }

    /// The worked example in docs/formats.md, computed independently (Python's hashlib).
    @Test func workedExampleMatchesTheDocumentedBytes() throws {
        let fields = ["1", "1700000000000", "login.failed", "", "o-1", "", #"{"reason":"wrong_password"}"#]
        #expect(Encoding.hex(AuditChain.canonicalBytes(fields)) == "73616665686176656e2d61756469742d763100000001310000000d3137303030"
            + "30303030303030300000000c6c6f67696e2e6661696c656400000000000000036f2d31000000000000001b7b22726561736f6e223a2277726f6e"
            + "675f70617373776f7264227d")
        let h1 = try AuditChain.next(previousHex: AuditChain.genesis, fields: fields)
        #expect(h1 == "0731331984563f1f43aa21a67a365b4564564d5157b885c5691e717dea89b5c6")
        let h2 = try AuditChain.next(previousHex: h1, fields: ["2", "1700000001000", "share.created", "u-1", "o-1", "s-1", "{}"])
        #expect(h2 == "64e27f7b27d26ac1cc6af24c9a534e67dedb391d52344c67f10324e7af64656b")
    }

    @Test func malformedPreviousHashIsAnErrorNotEmpty() {
        for bad in ["", "00", String(repeating: "g", count: 64), String(repeating: "0", count: 66)] {
            #expect(throws: CryptoFailure.malformedHash) { try AuditChain.next(previousHex: bad, fields: ["1"]) }
        }
        let signer = try? CheckpointSigner(seed: SeededRandomSource(seed: 2).bytes(32))
        #expect(throws: CryptoFailure.malformedHash) { try signer?.sign(count: 1, headHex: "") }
    }

    @Test func verifierNeedsOnlyThePublicKey() throws {
        let signer = try CheckpointSigner(seed: SeededRandomSource(seed: 2).bytes(32))
        let head = try AuditChain.next(previousHex: AuditChain.genesis, fields: ["1"])
        let signature = try signer.sign(count: 1, headHex: head)
        let verifier = try CheckpointVerifier(publicKeyHex: signer.publicKeyHex.uppercased() + "\n")
        #expect(verifier.verify(count: 1, headHex: head, signatureHex: signature))
        #expect(!verifier.verify(count: 1, headHex: head, signatureHex: String(signature.dropLast(2)) + "00"))
        #expect(throws: CryptoFailure.malformedKey) { try CheckpointVerifier(publicKeyHex: "abcd") }
    }
}
