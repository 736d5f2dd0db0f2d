@preconcurrency import Crypto
import Foundation

/// The key-encryption key (KEK). It never touches content: it wraps each share's data key
/// (RFC 3394 AES key wrap) and seals small secrets such as TOTP seeds (AES-256-GCM under a
/// derived sub-key). Rotating it means re-wrapping data keys, never re-encrypting blobs.
public struct KeyEncryptionKey: Sendable {
    private let key: SymmetricKey
    private let secretsKey: SymmetricKey
    /// Short, non-secret identifier of this KEK (first 8 hex digits of a derived value).
    public let keyID: String
    /// Keys this one replaced, still tried when opening (during and just after a rotation);
    /// wrapping and sealing always use this key.
    private var previous: [PreviousKey] = []

    struct PreviousKey: Sendable {
        let key: SymmetricKey
        let secretsKey: SymmetricKey
        let keyID: String
    }

    /// This key, also able to open what `older` wrapped or sealed.
    public func replacing(_ older: KeyEncryptionKey) -> KeyEncryptionKey {
        var ring = self
        ring.previous = previous + [PreviousKey(key: older.key, secretsKey: older.secretsKey, keyID: older.keyID)] + older.previous
        return ring
    }

    /// Ids of the keys this one can still open for.
    public var previousKeyIDs: [String] { previous.map(\.keyID) }

    /// True when `wrapped` opens with this key itself (not a previous one).
    public func wrapsDirectly(_ wrapped: String) -> Bool {
        guard let data = Self.payload(wrapped, prefix: "kw1:") else { return false }
        return (try? AES.KeyWrap.unwrap(data, using: key)) != nil
    }

    /// True when `sealed` opens with this key itself (not a previous one).
    public func sealsDirectly(_ sealed: String, context: String) -> Bool {
        guard let data = Self.payload(sealed, prefix: "sg1:"), let box = try? AES.GCM.SealedBox(combined: data) else { return false }
        return (try? AES.GCM.open(box, using: secretsKey, authenticating: Array(context.utf8))) != nil
    }

    static func payload(_ text: String, prefix: String) -> Data? {
        guard text.hasPrefix(prefix) else { return nil }
        return Data(base64Encoded: String(text.dropFirst(prefix.count)))
    }

    /// - Parameter bytes: exactly 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw CryptoFailure.malformedKey }
        self.key = SymmetricKey(data: bytes)
        self.secretsKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Array("safehaven/secrets/v1".utf8), outputByteCount: 32)
        let fingerprint = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Array("safehaven/kek-id/v1".utf8), outputByteCount: 4)
        self.keyID = fingerprint.withUnsafeBytes { Encoding.hex($0) }
    }

    /// Parses the text form kept in `master.key` or `SAFEHAVEN_MASTER_KEY`: base64 of 32 bytes.
    public init(encoded: String) throws {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CryptoFailure.malformedKey
        }
        try self.init(bytes: Array(data))
    }

    /// A fresh random KEK in its text form.
    public static func generateEncoded(random: any RandomSource) -> String {
        Data(random.bytes(32)).base64EncodedString()
    }

    /// A fresh 256-bit data key for one share.
    public static func newDataKey(random: any RandomSource) -> SymmetricKey {
        SymmetricKey(data: random.bytes(32))
    }

    /// Wraps a data key; the result is `kw1:` + base64 of the RFC 3394 output.
    public func wrap(_ dataKey: SymmetricKey) throws -> String {
        "kw1:" + (try AES.KeyWrap.wrap(dataKey, using: key)).base64EncodedString()
    }

    /// Unwraps a data key produced by `wrap`.
    public func unwrap(_ wrapped: String) throws -> SymmetricKey {
        guard let data = Self.payload(wrapped, prefix: "kw1:") else { throw CryptoFailure.malformedKey }
        for candidate in [key] + previous.map(\.key) {
            if let unwrapped = try? AES.KeyWrap.unwrap(data, using: candidate) { return unwrapped }
        }
        throw CryptoFailure.keyUnwrapFailed
    }

    /// Seals a small secret; the result is `sg1:` + base64(nonce ‖ ciphertext ‖ tag).
    public func sealSecret(_ plaintext: [UInt8], context: String, random: any RandomSource) throws -> String {
        let nonce = try AES.GCM.Nonce(data: random.bytes(12))
        let box = try AES.GCM.seal(plaintext, using: secretsKey, nonce: nonce, authenticating: Array(context.utf8))
        return "sg1:" + box.combined!.base64EncodedString()
    }

    /// Opens a value produced by `sealSecret` with the same context.
    public func openSecret(_ sealed: String, context: String) throws -> [UInt8] {
        guard let data = Self.payload(sealed, prefix: "sg1:") else { throw CryptoFailure.malformedKey }
        guard let box = try? AES.GCM.SealedBox(combined: data) else { throw CryptoFailure.authenticationFailed }
        for candidate in [secretsKey] + previous.map(\.secretsKey) {
            if let plain = try? AES.GCM.open(box, using: candidate, authenticating: Array(context.utf8)) { return Array(plain) }
        }
        throw CryptoFailure.authenticationFailed
    }
}
