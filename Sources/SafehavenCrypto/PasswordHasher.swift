import Crypto
import _CryptoExtras
import Foundation

/// Password hashing with scrypt. The stored form carries its own parameters
/// (`$scrypt$ln=15,r=8,p=1$salt$hash`), so the cost can be raised later without breaking old hashes.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N. 15 (32 MiB, ~0.1 s here) in production; tests may lower it.
    public let logN: Int
    public let random: any RandomSource

    public init(logN: Int = 15, random: any RandomSource = SystemRandomSource()) {
        self.logN = logN
        self.random = random
    }

    public func hash(_ password: String) throws -> String {
        let salt = random.bytes(16)
        let derived = try Self.derive(password, salt: salt, logN: logN, r: 8, p: 1)
        return "$scrypt$ln=\(logN),r=8,p=1$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// Constant-time check of `password` against a stored hash; false for any malformed hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt",
              let salt = Data(base64Encoded: String(parts[2])),
              let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        var params: [String: Int] = [:]
        for item in parts[1].split(separator: ",") {
            let kv = item.split(separator: "=")
            if kv.count == 2, let value = Int(kv[1]) { params[String(kv[0])] = value }
        }
        guard let ln = params["ln"], let r = params["r"], let p = params["p"], (1...20).contains(ln),
              (1...16).contains(r), (1...4).contains(p),
              let derived = try? Self.derive(password, salt: Array(salt), logN: ln, r: r, p: p)
        else { return false }
        return ConstantTime.equal(derived, Array(expected))
    }

    /// A hash of nothing, so that a login for an unknown account costs the same time as a real one.
    public func dummyVerify(_ password: String) {
        _ = try? Self.derive(password, salt: [UInt8](repeating: 0, count: 16), logN: logN, r: 8, p: 1)
    }

    private static func derive(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32,
            rounds: 1 << logN, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Comparison whose time does not depend on where two byte strings first differ.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
