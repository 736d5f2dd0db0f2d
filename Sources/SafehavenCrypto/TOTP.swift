import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords: HMAC-SHA1, 30-second steps, 6 digits,
/// which is what every common authenticator app expects.
public struct TOTP: Sendable {
    public let secret: [UInt8]
    public static let step: TimeInterval = 30
    public static let digits = 6

    public init(secret: [UInt8]) { self.secret = secret }

    /// A new 160-bit secret.
    public static func newSecret(random: any RandomSource) -> [UInt8] { random.bytes(20) }

    /// The time step containing `date`.
    public static func counter(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / step).rounded(.down)) }

    /// The code for a given time step.
    public func code(counter: Int64) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Encoding.bigEndian(UInt64(bitPattern: counter)), using: SymmetricKey(data: secret))
        let bytes = Array(mac)
        let offset = Int(bytes[19] & 0x0F)
        let value = (UInt32(bytes[offset] & 0x7F) << 24) | (UInt32(bytes[offset + 1]) << 16)
            | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
        let code = value % 1_000_000
        let text = String(code)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step a code matches, allowing one step of clock drift either way; nil when none does.
    /// Callers refuse a step at or before the last one used, so a code works once.
    public func matchingCounter(_ given: String, at date: Date) -> Int64? {
        let trimmed = given.filter { !$0.isWhitespace }
        guard trimmed.count == Self.digits, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) else { return nil }
        let now = Self.counter(at: date)
        for candidate in [now, now - 1, now + 1]
        where ConstantTime.equal(Array(self.code(counter: candidate).utf8), Array(trimmed.utf8)) {
            return candidate
        }
        return nil
    }

    /// The `otpauth://` URI an authenticator app scans.
    public func provisioningURI(account: String, issuer: String = "Safehaven") -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        let issuerEnc = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Encoding.base32(secret))&issuer=\(issuerEnc)&algorithm=SHA1&digits=6&period=30"
    }
}
