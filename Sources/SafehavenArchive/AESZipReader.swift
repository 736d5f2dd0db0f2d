import CompressNIO
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Limits that keep a hostile archive from exhausting the disk or the process.
public struct ExtractionLimits: Sendable {
    public var maxEntries = 10_000
    /// Total bytes all entries may expand to.
    public var maxTotalBytes: UInt64 = 16 * 1024 * 1024 * 1024
    /// Largest expanded/compressed ratio for a deflated entry; documents rarely exceed 100.
    public var maxRatio: UInt64 = 1_000
    public init() {}
}

/// One entry as the central directory describes it.
public struct ZipEntryInfo: Sendable, Equatable {
    public let name: String
    public let size: UInt64
    public let compressedSize: UInt64
    public let method: UInt16
    public let aesVersion: UInt16
    public let crc: UInt32
    public let localOffset: UInt64
    public let isDirectory: Bool
}

/// Reads WinZip AES archives from a file, safely: every entry is checked before anything is
/// written; each file is decrypted to a temporary name and only renamed into place once its
/// authentication code matches, so a tampered entry leaves nothing behind.
public final class AESZipReader {
    let fd: Int32
    let fileSize: UInt64
    public private(set) var entries: [ZipEntryInfo] = []

    public init(path: String, limits: ExtractionLimits = ExtractionLimits()) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.notAZip }
        var st = stat()
        fstat(fd, &st)
        fileSize = UInt64(st.st_size)
        do {
            try readCentralDirectory(limits: limits)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0, offset + UInt64(count) <= fileSize else { throw ArchiveError.truncated }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 { if errno == EINTR { continue }; throw ArchiveError.truncated }
                if n == 0 { throw ArchiveError.truncated }
                done += n
            }
        }
        return out
    }

    private func readCentralDirectory(limits: ExtractionLimits) throws {
        guard fileSize >= 22 else { throw ArchiveError.notAZip }
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tail = try read(at: fileSize - UInt64(tailLength), count: tailLength)
        guard let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
            tail[$0] == 0x50 && tail[$0 + 1] == 0x4b && tail[$0 + 2] == 0x05 && tail[$0 + 3] == 0x06
        }) else { throw ArchiveError.notAZip }
        var r = LEReader(tail, offset: eocd + 4)
        _ = try r.u16(); _ = try r.u16()
        _ = try r.u16()
        var count = UInt64(try r.u16())
        var centralSize = UInt64(try r.u32())
        var centralOffset = UInt64(try r.u32())
        let eocdAbsolute = fileSize - UInt64(tailLength) + UInt64(eocd)
        if (count == 0xFFFF || centralSize == Zip.max32 || centralOffset == Zip.max32), eocdAbsolute >= 20 {
            var locator = LEReader(try read(at: eocdAbsolute - 20, count: 20))
            if try locator.u32() == Zip.zip64Locator {
                _ = try locator.u32()
                let zip64Offset = try locator.u64()
                var z = LEReader(try read(at: zip64Offset, count: 56))
                guard try z.u32() == Zip.zip64EndOfCentral else { throw ArchiveError.corrupt("bad ZIP64 end record") }
                _ = try z.u64(); _ = try z.u16(); _ = try z.u16(); _ = try z.u32(); _ = try z.u32()
                _ = try z.u64()
                count = try z.u64()
                centralSize = try z.u64()
                centralOffset = try z.u64()
            }
        }
        guard count <= UInt64(limits.maxEntries) else { throw ArchiveError.tooManyEntries(Int(clamping: count)) }
        guard centralOffset + centralSize <= fileSize, centralSize <= 64 * 1024 * 1024 else { throw ArchiveError.corrupt("central directory out of range") }
        var r2 = LEReader(try read(at: centralOffset, count: Int(centralSize)))
        for _ in 0..<count {
            guard try r2.u32() == Zip.centralHeader else { throw ArchiveError.corrupt("bad central directory entry") }
            _ = try r2.u16()
            _ = try r2.u16()
            let flags = try r2.u16()
            let method = try r2.u16()
            _ = try r2.u16(); _ = try r2.u16()
            let crc = try r2.u32()
            var compressed = UInt64(try r2.u32())
            var size = UInt64(try r2.u32())
            let nameLength = Int(try r2.u16())
            let extraLength = Int(try r2.u16())
            let commentLength = Int(try r2.u16())
            _ = try r2.u16(); _ = try r2.u16()
            let external = try r2.u32()
            var localOffset = UInt64(try r2.u32())
            let nameBytes = try r2.take(nameLength)
            var extra = LEReader(try r2.take(extraLength))
            _ = try r2.take(commentLength)
            let name = String(decoding: nameBytes, as: UTF8.self)
            var aesVersion: UInt16 = 0
            var actualMethod = method
            var strength: UInt8 = 0
            while extra.remaining >= 4 {
                let id = try extra.u16()
                let length = Int(try extra.u16())
                var field = LEReader(try extra.take(length))
                if id == Zip.zip64Extra {
                    if size == Zip.max32 { size = try field.u64() }
                    if compressed == Zip.max32 { compressed = try field.u64() }
                    if localOffset == Zip.max32 { localOffset = try field.u64() }
                } else if id == Zip.aesExtra, length >= 7 {
                    aesVersion = try field.u16()
                    _ = try field.take(2)
                    strength = try field.take(1)[0]
                    actualMethod = try field.u16()
                }
            }
            let isLink = (external >> 16) & 0o170000 == 0o120000
            let isDirectory = name.hasSuffix("/")
            if isLink { throw ArchiveError.unsafeName(name) }
            try Self.checkName(name)
            if !isDirectory {
                if method != Zip.methodAES {
                    if flags & Zip.flagEncrypted != 0 { throw ArchiveError.zipCryptoEntry(name) }
                    throw ArchiveError.unencryptedEntry(name)
                }
                guard aesVersion == 1 || aesVersion == 2 else { throw ArchiveError.unsupported("AES extra field version \(aesVersion) in '\(name)'") }
                guard strength == 3 else { throw ArchiveError.unsupported("AES strength other than 256 bits in '\(name)'") }
                guard actualMethod == Zip.methodStored || actualMethod == Zip.methodDeflated else {
                    throw ArchiveError.unsupported("compression method \(actualMethod) in '\(name)'")
                }
                guard compressed >= UInt64(WinZipAES.overhead) else { throw ArchiveError.corrupt("entry '\(name)' is too short") }
            }
            entries.append(ZipEntryInfo(name: name, size: size, compressedSize: compressed, method: actualMethod, aesVersion: aesVersion,
                                        crc: crc, localOffset: localOffset, isDirectory: isDirectory))
        }
        let declared = entries.reduce(UInt64(0)) { $0 &+ $1.size }
        guard declared <= limits.maxTotalBytes else { throw ArchiveError.tooLarge("(all entries)") }
    }

    /// Refuses names that could land outside the output folder: absolute paths, drive letters,
    /// backslashes, `..`, empty or control-character components.
    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ArchiveError.unsafeName(name)
        }
        if name.count >= 2, name.dropFirst().first == ":" { throw ArchiveError.unsafeName(name) }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            if part == ".." || part == "." { throw ArchiveError.unsafeName(name) }
            if part.isEmpty && !(i == parts.count - 1 && i > 0) { throw ArchiveError.unsafeName(name) }
        }
    }

    /// Extracts every entry under `directory` (created if missing; existing files are never
    /// overwritten). Returns the relative paths written.
    @discardableResult
    public func extract(to directory: URL, password: String, limits: ExtractionLimits = ExtractionLimits()) throws -> [String] {
        let fm = FileManager.default
        // The password is checked against every entry before anything is written, even a folder.
        for entry in entries where !entry.isDirectory {
            let (salt, verifier, _) = try dataStart(entry)
            _ = try EntryDecryptor(password: password, salt: salt, verifier: verifier)
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var written: [String] = []
        var total: UInt64 = 0
        for entry in entries {
            let target = root.appendingPathComponent(entry.name).standardizedFileURL
            guard target.path.hasPrefix(root.path + "/") else { throw ArchiveError.unsafeName(entry.name) }
            if entry.isDirectory {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                continue
            }
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard !fm.fileExists(atPath: target.path) else { throw ArchiveError.outputExists(entry.name) }
            let temp = target.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).partial")
            do {
                let out = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard out >= 0 else { throw ArchiveError.corrupt("cannot write \(entry.name)") }
                defer { close(out) }
                try extractEntry(entry, password: password, limits: limits, total: &total) { try writeAll(out, $0) }
                fsync(out)
                guard rename(temp.path, target.path) == 0 else { throw ArchiveError.corrupt("cannot move \(entry.name) into place") }
            } catch {
                unlink(temp.path)
                throw error
            }
            written.append(entry.name)
        }
        return written
    }

    /// Salt, verifier and where the encrypted data begins, from the local header.
    func dataStart(_ entry: ZipEntryInfo) throws -> ([UInt8], [UInt8], UInt64) {
        var local = LEReader(try read(at: entry.localOffset, count: 30))
        guard try local.u32() == Zip.localHeader else { throw ArchiveError.corrupt("bad local header for '\(entry.name)'") }
        local.offset = 26
        let nameLength = UInt64(try local.u16())
        let extraLength = UInt64(try local.u16())
        let start = entry.localOffset + 30 + nameLength + extraLength
        let head = try read(at: start, count: WinZipAES.saltLength + WinZipAES.verifierLength)
        return (Array(head[0..<16]), Array(head[16..<18]), start + 18)
    }

    /// Streams one entry's plaintext to `output`, verifying its authentication code at the end.
    public func extractEntry(_ entry: ZipEntryInfo, password: String, limits: ExtractionLimits = ExtractionLimits(),
                             total: inout UInt64, output: ([UInt8]) throws -> Void) throws {
        let (salt, verifier, dataOffset) = try dataStart(entry)
        var decryptor = try EntryDecryptor(password: password, salt: salt, verifier: verifier)
        let cipherLength = entry.compressedSize - UInt64(WinZipAES.overhead)
        guard dataOffset + cipherLength + UInt64(WinZipAES.authLength) <= fileSize else { throw ArchiveError.truncated }
        var inflater: NIODecompressor?
        if entry.method == Zip.methodDeflated {
            let d = CompressionAlgorithm.deflate().decompressor
            d.window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
            try d.startStream()
            inflater = d
        }
        var produced: UInt64 = 0
        var crc = CRC32()
        let maxForEntry = entry.method == Zip.methodDeflated ? min(limits.maxTotalBytes, max(cipherLength, 1) &* limits.maxRatio) : limits.maxTotalBytes
        func deliver(_ bytes: [UInt8]) throws {
            produced += UInt64(bytes.count)
            total += UInt64(bytes.count)
            if produced > maxForEntry { throw ArchiveError.suspiciousRatio(entry.name) }
            if total > limits.maxTotalBytes { throw ArchiveError.tooLarge(entry.name) }
            if entry.aesVersion == 1 { crc.update(bytes) }
            try output(bytes)
        }
        var position: UInt64 = 0
        let chunk: UInt64 = 64 * 1024
        while position < cipherLength {
            let n = Int(min(chunk, cipherLength - position))
            let plain = try decryptor.decrypt(try read(at: dataOffset + position, count: n))
            position += UInt64(n)
            if let inflater {
                var input = ByteBuffer(bytes: plain)
                do {
                    try input.decompressStream(with: inflater) { window in
                        var w = window
                        try deliver(w.readBytes(length: w.readableBytes) ?? [])
                    }
                } catch let error as ArchiveError {
                    throw error
                } catch {
                    // Corrupt deflate data means altered ciphertext: report it as such once the MAC confirms.
                    try? decryptor.verify(try read(at: dataOffset + cipherLength, count: WinZipAES.authLength))
                    throw ArchiveError.authenticationFailed
                }
            } else {
                try deliver(plain)
            }
        }
        if let inflater { try? inflater.finishStream() }
        try decryptor.verify(try read(at: dataOffset + cipherLength, count: WinZipAES.authLength))
        if entry.aesVersion == 1, crc.final != entry.crc { throw ArchiveError.authenticationFailed }
        if produced != entry.size { throw ArchiveError.corrupt("entry '\(entry.name)' has the wrong size") }
    }
}
