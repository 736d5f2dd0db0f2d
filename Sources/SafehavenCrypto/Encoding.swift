import Foundation

/// Small encoding helpers shared by the crypto formats.
public enum Encoding {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hexadecimal.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let input = Array(bytes)
        return hexDigits.withUnsafeBufferPointer { digits in
            String(unsafeUninitializedCapacity: input.count * 2) { out in
                var i = 0
                for byte in input {
                    out[i] = digits[Int(byte >> 4)]
                    out[i + 1] = digits[Int(byte & 0x0F)]
                    i += 2
                }
                return i
            }
        }
    }

    /// Parses hexadecimal (either case); nil when malformed.
    public static func fromHex(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { chars -> [UInt8]? in
            guard chars.count % 2 == 0 else { return nil }
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: chars.count / 2) { buffer, count in
                var index = 0
                while index < chars.count {
                    guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { failed = true; break }
                    buffer[index / 2] = high << 4 | low
                    index += 2
                }
                count = index / 2
            }
            return failed ? nil : out
        }
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// URL-safe base64 without padding (RFC 4648 §5), used for tokens.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// RFC 4648 base32 without padding, as authenticator apps expect for TOTP secrets.
    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return out
    }

    /// Big-endian bytes of an unsigned integer.
    public static func bigEndian(_ value: UInt64, width: Int = 8) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - $0))) }
    }
}
