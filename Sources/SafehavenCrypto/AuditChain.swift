@preconcurrency import Crypto
import Foundation

/// The audit hash chain: `hash_n = SHA-256(hash_{n-1} ‖ canonical bytes of event n)` with
/// `hash_0` = 32 zero bytes. Canonical bytes are the event's fields in a fixed order, each as a
/// 4-byte big-endian length followed by its UTF-8 bytes, so no two events encode alike.
public enum AuditChain {
    /// Hex of 32 zero bytes: the hash before the first event.
    public static let genesis = String(repeating: "0", count: 64)
    static let domain = Array("safehaven-audit-v1".utf8)

    /// Canonical bytes of an event's fields (the caller fixes the order).
    public static func canonicalBytes(_ fields: [String]) -> [UInt8] {
        var out = domain
        out.reserveCapacity(domain.count + fields.reduce(0) { $0 + 4 + $1.utf8.count })
        for field in fields {
            let length = UInt32(truncatingIfNeeded: field.utf8.count)
            out.append(UInt8(truncatingIfNeeded: length >> 24))
            out.append(UInt8(truncatingIfNeeded: length >> 16))
            out.append(UInt8(truncatingIfNeeded: length >> 8))
            out.append(UInt8(truncatingIfNeeded: length))
            out.append(contentsOf: field.utf8)
        }
        return out
    }

    /// The next link of the chain, in hex. A previous hash that is not exactly 32 bytes of hex is
    /// an error: it is never hashed as something else.
    public static func next(previousHex: String, fields: [String]) throws -> String {
        guard let previous = Encoding.fromHex(previousHex), previous.count == 32 else { throw CryptoFailure.malformedHash }
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonicalBytes(fields))
        return Encoding.hex(hasher.finalize())
    }
}

/// The public half of the audit key: all anyone needs to check a chain and its checkpoints.
public struct CheckpointVerifier: Sendable, Equatable {
    public let publicKeyHex: String
    private let publicKey: Curve25519.Signing.PublicKey

    public init(publicKeyHex: String) throws {
        let trimmed = publicKeyHex.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let raw = Encoding.fromHex(trimmed), raw.count == 32 else { throw CryptoFailure.malformedKey }
        self.publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        self.publicKeyHex = trimmed
    }

    public static func == (a: Self, b: Self) -> Bool { a.publicKeyHex == b.publicKeyHex }

    /// What a checkpoint signs: a domain string, the event count (8 bytes big-endian) and the
    /// 32-byte head hash. Nil when the head is not 32 bytes of hex.
    static func message(count: Int64, headHex: String) -> [UInt8]? {
        guard count >= 0, let head = Encoding.fromHex(headHex), head.count == 32 else { return nil }
        return Array("safehaven-audit-checkpoint-v1".utf8) + Encoding.bigEndian(UInt64(count)) + head
    }

    /// True when `signatureHex` is this key's signature over the checkpoint.
    public func verify(count: Int64, headHex: String, signatureHex: String) -> Bool {
        guard let signature = Encoding.fromHex(signatureHex), signature.count == 64,
              let message = Self.message(count: count, headHex: headHex) else { return false }
        return publicKey.isValidSignature(signature, for: message)
    }
}

/// Signs audit checkpoints `(count, head hash)` with Ed25519, so that rewriting the chain from
/// some point on (recomputing every later hash) is still caught: the attacker would also need this
/// key, which lives beside the key-encryption key and never in the database.
public struct CheckpointSigner: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey
    /// The public half, for verifying.
    public let verifier: CheckpointVerifier
    /// Hex of the public key.
    public var publicKeyHex: String { verifier.publicKeyHex }

    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw CryptoFailure.malformedKey }
        self.privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        self.verifier = try CheckpointVerifier(publicKeyHex: Encoding.hex(privateKey.publicKey.rawRepresentation))
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

    /// Hex signature over the checkpoint.
    public func sign(count: Int64, headHex: String) throws -> String {
        guard let message = CheckpointVerifier.message(count: count, headHex: headHex) else { throw CryptoFailure.malformedHash }
        return Encoding.hex(try privateKey.signature(for: message))
    }

    /// True when `signatureHex` is this key's signature over the checkpoint.
    public func verify(count: Int64, headHex: String, signatureHex: String) -> Bool {
        verifier.verify(count: count, headHex: headHex, signatureHex: signatureHex)
    }
}
