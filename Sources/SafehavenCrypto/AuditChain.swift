@preconcurrency import Crypto
import Foundation

/// The audit hash chain: `hash_n = SHA-256(hash_{n-1} ‖ canonical bytes of event n)` with
/// `hash_0` = 32 zero bytes. Canonical bytes are the event's fields in a fixed order, each as a
/// 4-byte big-endian length followed by its UTF-8 bytes, so no two events encode alike.
public enum AuditChain {
    /// Hex of 32 zero bytes: the hash before the first event.
    public static let genesis = String(repeating: "0", count: 64)

    /// Canonical bytes of an event's fields (the caller fixes the order).
    public static func canonicalBytes(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = Array("safehaven-audit-v1".utf8)
        for field in fields {
            let bytes = Array(field.utf8)
            out += Encoding.bigEndian(UInt64(bytes.count), width: 4)
            out += bytes
        }
        return out
    }

    /// The next link of the chain, in hex.
    public static func next(previousHex: String, fields: [String]) -> String {
        var hasher = SHA256()
        hasher.update(data: Encoding.fromHex(previousHex) ?? [])
        hasher.update(data: canonicalBytes(fields))
        return Encoding.hex(hasher.finalize())
    }
}

/// Signs and checks audit checkpoints `(count, head hash)` with Ed25519, so that rewriting the
/// chain from some point on (recomputing every later hash) is still caught: the attacker would
/// also need this key, which lives beside the key-encryption key and never in the database.
public struct CheckpointSigner: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey
    /// Hex of the public key, recorded with each checkpoint.
    public let publicKeyHex: String

    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw CryptoFailure.malformedKey }
        self.privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        self.publicKeyHex = Encoding.hex(privateKey.publicKey.rawRepresentation)
    }

    /// Text form kept in `audit.key`: base64 of the 32-byte seed.
    public init(encoded: String) throws {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CryptoFailure.malformedKey
        }
        try self.init(seed: Array(data))
    }

    public static func generateEncoded(random: any RandomSource) -> String {
        Data(random.bytes(32)).base64EncodedString()
    }

    static func message(count: Int64, headHex: String) -> [UInt8] {
        Array("safehaven-audit-checkpoint-v1".utf8) + Encoding.bigEndian(UInt64(count)) + (Encoding.fromHex(headHex) ?? [])
    }

    /// Hex signature over the checkpoint.
    public func sign(count: Int64, headHex: String) throws -> String {
        Encoding.hex(try privateKey.signature(for: Self.message(count: count, headHex: headHex)))
    }

    /// True when `signatureHex` is this key's signature over the checkpoint.
    public func verify(count: Int64, headHex: String, signatureHex: String) -> Bool {
        guard let signature = Encoding.fromHex(signatureHex) else { return false }
        return privateKey.publicKey.isValidSignature(signature, for: Self.message(count: count, headHex: headHex))
    }
}
