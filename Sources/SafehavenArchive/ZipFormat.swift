import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Constants and little-endian encoding for the ZIP container (PKWARE APPNOTE 6.3).
enum Zip {
    static let localHeader: UInt32 = 0x0403_4b50
    static let centralHeader: UInt32 = 0x0201_4b50
    static let dataDescriptor: UInt32 = 0x0807_4b50
    static let endOfCentral: UInt32 = 0x0605_4b50
    static let zip64EndOfCentral: UInt32 = 0x0606_4b50
    static let zip64Locator: UInt32 = 0x0706_4b50
    static let zip64Extra: UInt16 = 0x0001
    static let aesExtra: UInt16 = 0x9901
    static let methodStored: UInt16 = 0
    static let methodDeflated: UInt16 = 8
    static let methodAES: UInt16 = 99
    static let flagEncrypted: UInt16 = 1 << 0
    static let flagDataDescriptor: UInt16 = 1 << 3
    static let flagUTF8: UInt16 = 1 << 11
    /// 6.3, made on Unix.
    static let versionMadeBy: UInt16 = (3 << 8) | 63
    /// AES needs 5.1.
    static let versionNeeded: UInt16 = 51
    static let max32: UInt64 = 0xFFFF_FFFF

    /// DOS date and time (2-second resolution, 1980–2107), in UTC so archives are reproducible.
    static func dosDateTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max((c.year ?? 1980) - 1980, 0), 127)
        let time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        let day = UInt16(year << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        return (time, day)
    }
}

/// Appends little-endian integers.
struct LEWriter {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func raw(_ b: [UInt8]) { bytes += b }
}

/// Reads little-endian integers from a byte array, failing cleanly past the end.
struct LEReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws -> T {
        let width = T.bitWidth / 8
        guard remaining >= width else { throw ArchiveError.truncated }
        var v: T = 0
        for i in 0..<width { v |= T(bytes[offset + i]) << (8 * i) }
        offset += width
        return v
    }

    mutating func u16() throws -> UInt16 { try integer(UInt16.self) }
    mutating func u32() throws -> UInt32 { try integer(UInt32.self) }
    mutating func u64() throws -> UInt64 { try integer(UInt64.self) }

    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, remaining >= n else { throw ArchiveError.truncated }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
}

/// Writes all of `bytes` to a file descriptor, retrying short writes and interruptions.
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var done = 0
    try bytes.withUnsafeBytes { raw in
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.corrupt("writing failed (errno \(errno))")
            }
            done += n
        }
    }
}

/// CRC-32 (IEEE), for AE-1 entries, which carry one.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    private(set) var value: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: [UInt8]) {
        var c = value
        for b in bytes { c = Self.table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        value = c
    }

    var final: UInt32 { value ^ 0xFFFF_FFFF }
}
