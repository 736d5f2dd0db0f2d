@preconcurrency import Crypto
import Foundation

/// Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash.
public enum Tokens {
    /// Prefix so that leaked tokens are recognisable by secret scanners.
    public static let prefix = "shv_"

    /// A new token (the secret the user keeps) and the hash to store.
    public static func generate(random: any RandomSource) -> (token: String, hash: String) {
        let token = prefix + Encoding.base64URL(random.bytes(32))
        return (token, hash(token))
    }

    /// Compares two secrets in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// The stored form of a token.
    public static func hash(_ token: String) -> String {
        Encoding.hex(SHA256.hash(data: Array(token.utf8)))
    }
}

/// Hex SHA-256 of arbitrary bytes, for file digests.
public struct SHA256Digester: Sendable {
    private var hasher = SHA256()
    public init() {}
    public mutating func update<D: DataProtocol>(_ data: D) { hasher.update(data: data) }
    public func finalizeHex() -> String { Encoding.hex(hasher.finalize()) }
}
