import CompressNIO
import Foundation
import NIOCore
import SafehavenCrypto

/// Writes a WinZip AES-256 (AE-2) archive as a stream: every entry uses a data descriptor and
/// ZIP64 sizes, so nothing needs to be known in advance and the output never needs seeking. Memory
/// stays bounded by one chunk plus the deflate window.
public final class AESZipWriter {
    public typealias Sink = ([UInt8]) throws -> Void

    struct CentralEntry {
        let name: [UInt8]
        let method: UInt16
        let time: UInt16
        let date: UInt16
        let compressedSize: UInt64
        let size: UInt64
        let offset: UInt64
    }

    private let password: String
    private let random: any RandomSource
    private let sink: Sink
    private var offset: UInt64 = 0
    private var entries: [CentralEntry] = []
    private var finished = false
    private var entryOpen = false

    /// - Parameters:
    ///   - password: checked by the caller against the archive password policy.
    ///   - sink: receives the archive bytes in order.
    public init(password: String, random: any RandomSource, sink: @escaping Sink) {
        self.password = password
        self.random = random
        self.sink = sink
    }

    func emit(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try sink(bytes)
        offset += UInt64(bytes.count)
    }

    /// Starts an entry. `compress` nil decides from the first 256 KiB whether deflate helps.
    public func beginEntry(name: String, modified: Date, compress: Bool? = nil) throws -> AESZipEntryWriter {
        precondition(!finished && !entryOpen, "one entry at a time, before finish")
        let clean = name
        // The writer holds itself to the rules the reader enforces.
        try AESZipReader.checkName(clean)
        guard clean.utf8.count <= 0xFFFF, !clean.hasSuffix("/") else { throw ArchiveError.unsafeName(name) }
        entryOpen = true
        return try AESZipEntryWriter(writer: self, name: Array(clean.utf8), modified: modified, compress: compress,
                                 salt: random.bytes(WinZipAES.saltLength), password: password)
    }

    func writeLocalHeader(name: [UInt8], method: UInt16, time: UInt16, date: UInt16) throws -> UInt64 {
        let start = offset
        var w = LEWriter()
        w.u32(Zip.localHeader)
        w.u16(Zip.versionNeeded)
        w.u16(Zip.flagEncrypted | Zip.flagDataDescriptor | Zip.flagUTF8)
        w.u16(Zip.methodAES)
        w.u16(time)
        w.u16(date)
        w.u32(0)            // CRC: always 0 in AE-2
        w.u32(0xFFFF_FFFF)  // sizes are in the ZIP64 field and the data descriptor
        w.u32(0xFFFF_FFFF)
        w.u16(UInt16(name.count))
        w.u16(20 + 11)
        w.raw(name)
        w.u16(Zip.zip64Extra); w.u16(16); w.u64(0); w.u64(0)
        Self.aesExtra(&w, method: method)
        try emit(w.bytes)
        return start
    }

    static func aesExtra(_ w: inout LEWriter, method: UInt16) {
        w.u16(Zip.aesExtra)
        w.u16(7)
        w.u16(2)                       // AE-2
        w.raw(Array("AE".utf8))
        w.bytes.append(3)              // AES-256
        w.u16(method)
    }

    func entryFinished(_ entry: CentralEntry) throws {
        var w = LEWriter()
        w.u32(Zip.dataDescriptor)
        w.u32(0)
        w.u64(entry.compressedSize)
        w.u64(entry.size)
        try emit(w.bytes)
        entries.append(entry)
        entryOpen = false
    }

    /// Writes the central directory and end records. The archive is complete after this.
    public func finish() throws {
        precondition(!finished && !entryOpen, "finish once, after the last entry")
        finished = true
        let centralStart = offset
        for e in entries {
            var w = LEWriter()
            w.u32(Zip.centralHeader)
            w.u16(Zip.versionMadeBy)
            w.u16(Zip.versionNeeded)
            w.u16(Zip.flagEncrypted | Zip.flagDataDescriptor | Zip.flagUTF8)
            w.u16(Zip.methodAES)
            w.u16(e.time)
            w.u16(e.date)
            w.u32(0)
            var zip64 = LEWriter()
            let bigSize = e.size >= Zip.max32, bigCompressed = e.compressedSize >= Zip.max32, bigOffset = e.offset >= Zip.max32
            if bigSize { zip64.u64(e.size) }
            if bigCompressed { zip64.u64(e.compressedSize) }
            if bigOffset { zip64.u64(e.offset) }
            w.u32(bigCompressed ? 0xFFFF_FFFF : UInt32(e.compressedSize))
            w.u32(bigSize ? 0xFFFF_FFFF : UInt32(e.size))
            w.u16(UInt16(e.name.count))
            w.u16(UInt16((zip64.bytes.isEmpty ? 0 : 4 + zip64.bytes.count) + 11))
            w.u16(0)   // comment
            w.u16(0)   // disk
            w.u16(0)   // internal attributes
            w.u32(0o100644 << 16)
            w.u32(bigOffset ? 0xFFFF_FFFF : UInt32(e.offset))
            w.raw(e.name)
            if !zip64.bytes.isEmpty {
                w.u16(Zip.zip64Extra)
                w.u16(UInt16(zip64.bytes.count))
                w.raw(zip64.bytes)
            }
            Self.aesExtra(&w, method: e.method)
            try emit(w.bytes)
        }
        let centralSize = offset - centralStart
        let needZip64 = entries.count >= 0xFFFF || centralStart >= Zip.max32 || centralSize >= Zip.max32
        var w = LEWriter()
        if needZip64 {
            let zip64Start = offset
            w.u32(Zip.zip64EndOfCentral)
            w.u64(44)
            w.u16(Zip.versionMadeBy)
            w.u16(45)
            w.u32(0); w.u32(0)
            w.u64(UInt64(entries.count)); w.u64(UInt64(entries.count))
            w.u64(centralSize); w.u64(centralStart)
            w.u32(Zip.zip64Locator)
            w.u32(0)
            w.u64(zip64Start)
            w.u32(1)
        }
        w.u32(Zip.endOfCentral)
        w.u16(0); w.u16(0)
        w.u16(UInt16(min(entries.count, 0xFFFF))); w.u16(UInt16(min(entries.count, 0xFFFF)))
        w.u32(UInt32(min(centralSize, Zip.max32)))
        w.u32(UInt32(min(centralStart, Zip.max32)))
        w.u16(0)
        try emit(w.bytes)
    }
}

/// One entry being written: bytes in, compressed if it helps, encrypted, authenticated, out.
public final class AESZipEntryWriter {
    static let probeSize = 256 * 1024
    private let writer: AESZipWriter
    private let name: [UInt8]
    private let time: UInt16
    private let date: UInt16
    private var compress: Bool?
    private var pending: [UInt8] = []
    private var encryptor: EntryEncryptor
    private var compressor: NIOCompressor?
    private var headerOffset: UInt64 = 0
    private var started = false
    private var size: UInt64 = 0
    private var compressedSize: UInt64 = 0
    private var method: UInt16 = Zip.methodStored

    init(writer: AESZipWriter, name: [UInt8], modified: Date, compress: Bool?, salt: [UInt8], password: String) throws {
        self.writer = writer
        self.name = name
        (time, date) = Zip.dosDateTime(modified)
        self.compress = compress
        self.encryptor = try EntryEncryptor(password: password, salt: salt)
    }

    public func write(_ bytes: [UInt8]) throws {
        size += UInt64(bytes.count)
        if !started {
            pending += bytes
            if compress != nil || pending.count >= Self.probeSize { try start() }
            return
        }
        try process(bytes, last: false)
    }

    private func start() throws {
        let useDeflate = compress ?? Self.deflateHelps(pending)
        method = useDeflate ? Zip.methodDeflated : Zip.methodStored
        if useDeflate {
            let c = CompressionAlgorithm.deflate(configuration: .init(compressionLevel: .compressionLevel6)).compressor
            try c.startStream()
            compressor = c
        }
        headerOffset = try writer.writeLocalHeader(name: name, method: method, time: time, date: date)
        try emitEncrypted(encryptor.header, raw: true)
        started = true
        let first = pending
        pending = []
        try process(first, last: false)
    }

    /// Deflate is worth it when a trial on the first bytes saves at least a tenth.
    static func deflateHelps(_ sample: [UInt8]) -> Bool {
        guard sample.count >= 64 else { return false }
        var input = ByteBuffer(bytes: sample)
        guard let out = try? input.compress(with: .deflate(configuration: .init(compressionLevel: .fastestCompression))) else { return false }
        return out.readableBytes < sample.count * 9 / 10
    }

    private func process(_ bytes: [UInt8], last: Bool) throws {
        if let compressor {
            var input = ByteBuffer(bytes: bytes)
            var out = try input.compressStream(with: compressor, flush: last ? .finish : .sync)
            if let chunk = out.readBytes(length: out.readableBytes) { try emitEncrypted(chunk) }
            if last { try compressor.finishStream() }
        } else {
            try emitEncrypted(bytes)
        }
    }

    private func emitEncrypted(_ bytes: [UInt8], raw: Bool = false) throws {
        guard !bytes.isEmpty else { return }
        let out = raw ? bytes : try encryptor.encrypt(bytes)
        compressedSize += UInt64(out.count)
        try writer.emit(out)
    }

    public func finish() throws {
        if !started { try start() }
        if compressor != nil { try process([], last: true) }
        try emitEncrypted(encryptor.authenticationCode(), raw: true)
        try writer.entryFinished(.init(name: name, method: method, time: time, date: date, compressedSize: compressedSize,
                                       size: size, offset: headerOffset))
    }
}
