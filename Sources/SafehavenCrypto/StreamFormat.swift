import Crypto
import Foundation

/// Errors from opening sealed data. They never say which byte was wrong: an attacker learns nothing.
public enum CryptoFailure: Error, Equatable, Sendable {
    /// The header is not one this version can read.
    case unsupportedFormat
    /// A chunk failed authentication: the data was altered, reordered, truncated or extended.
    case authenticationFailed
    /// A wrapped key could not be unwrapped with the key-encryption key.
    case keyUnwrapFailed
    /// A key or encoded value had the wrong length or shape.
    case malformedKey
}

/// Safehaven blob format v1: the STREAM construction over AES-256-GCM.
///
/// Layout: a 24-byte header (`"SHVN"`, version 1, three zero bytes, 16-byte salt), then chunks of
/// 64 KiB plaintext each sealed with a 16-byte tag; the last chunk may be shorter and is empty only
/// when the whole plaintext is. The payload key is HKDF-SHA256(data key, salt, "safehaven/stream/v1"),
/// so one data key can seal a share's message and all of its files without nonce reuse. The nonce is
/// an 11-byte big-endian chunk counter followed by a last-chunk flag byte, and the header is
/// authenticated with every chunk. See docs/formats.md.
public enum StreamFormat {
    public static let magic: [UInt8] = Array("SHVN".utf8)
    public static let version: UInt8 = 1
    public static let headerSize = 24
    public static let chunkSize = 64 * 1024
    public static let tagSize = 16
    public static let sealedChunkSize = chunkSize + tagSize

    /// Ciphertext size for a plaintext of `plaintextSize` bytes.
    public static func sealedSize(plaintextSize: Int64) -> Int64 {
        let chunks = max(1, (plaintextSize + Int64(chunkSize) - 1) / Int64(chunkSize))
        return Int64(headerSize) + plaintextSize + chunks * Int64(tagSize)
    }

    static func payloadKey(dataKey: SymmetricKey, salt: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, salt: salt,
            info: Array("safehaven/stream/v1".utf8), outputByteCount: 32)
    }

    static func nonce(counter: UInt64, last: Bool) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { bytes[10 - i] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * i)) }
        bytes[11] = last ? 1 : 0
        // Twelve bytes is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }
}

/// Seals a plaintext stream incrementally; memory use is bounded by one chunk.
public struct StreamSealer: @unchecked Sendable {
    private let key: SymmetricKey
    private let header: [UInt8]
    private var pending: [UInt8] = []
    private var counter: UInt64 = 0
    private var headerEmitted = false
    private var finished = false

    /// - Parameters:
    ///   - dataKey: the share's 256-bit data key.
    ///   - random: source of the per-blob salt.
    public init(dataKey: SymmetricKey, random: any RandomSource) {
        let salt = random.bytes(16)
        self.header = StreamFormat.magic + [StreamFormat.version, 0, 0, 0] + salt
        self.key = StreamFormat.payloadKey(dataKey: dataKey, salt: salt)
        self.pending.reserveCapacity(StreamFormat.chunkSize * 2)
    }

    /// Adds plaintext and returns whatever ciphertext is ready (possibly nothing).
    public mutating func update<D: DataProtocol>(_ plaintext: D) throws -> [UInt8] {
        precondition(!finished, "StreamSealer used after finish")
        var out = takeHeader()
        pending.append(contentsOf: plaintext)
        // Keep at least one byte back: only `finish` knows which chunk is last.
        var offset = 0
        while pending.count - offset > StreamFormat.chunkSize {
            try sealChunk(pending[offset..<offset + StreamFormat.chunkSize], last: false, into: &out)
            offset += StreamFormat.chunkSize
        }
        if offset > 0 { pending.removeFirst(offset) }
        return out
    }

    /// Seals the final chunk and returns the remaining ciphertext.
    public mutating func finish() throws -> [UInt8] {
        precondition(!finished, "StreamSealer finished twice")
        var out = takeHeader()
        try sealChunk(pending[...], last: true, into: &out)
        pending = []
        finished = true
        return out
    }

    private mutating func takeHeader() -> [UInt8] {
        guard !headerEmitted else { return [] }
        headerEmitted = true
        return header
    }

    private mutating func sealChunk(_ chunk: ArraySlice<UInt8>, last: Bool, into out: inout [UInt8]) throws {
        let box = try AES.GCM.seal(
            chunk, using: key, nonce: StreamFormat.nonce(counter: counter, last: last), authenticating: header)
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
        counter += 1
    }

    /// Seals a whole small value in one call (used for share messages).
    public static func seal<D: DataProtocol>(_ plaintext: D, dataKey: SymmetricKey, random: any RandomSource) throws -> [UInt8] {
        var sealer = StreamSealer(dataKey: dataKey, random: random)
        var out = try sealer.update(plaintext)
        out += try sealer.finish()
        return out
    }
}

/// Opens a STREAM ciphertext incrementally. Output is released chunk by chunk, but a caller must
/// treat nothing as valid until `finish()` succeeds: truncation is only detectable at the end.
public struct StreamOpener: @unchecked Sendable {
    private let dataKey: SymmetricKey
    private var key: SymmetricKey?
    private var header: [UInt8] = []
    private var pending: [UInt8] = []
    private var counter: UInt64 = 0
    private var finished = false

    public init(dataKey: SymmetricKey) {
        self.dataKey = dataKey
        self.pending.reserveCapacity(StreamFormat.sealedChunkSize * 2)
    }

    /// Adds ciphertext and returns whatever plaintext has been authenticated so far.
    public mutating func update<D: DataProtocol>(_ ciphertext: D) throws -> [UInt8] {
        guard !finished else { throw CryptoFailure.authenticationFailed }
        pending.append(contentsOf: ciphertext)
        var out = [UInt8]()
        var offset = try readHeaderIfNeeded()
        // A full sealed chunk followed by more bytes cannot be the last one.
        while pending.count - offset > StreamFormat.sealedChunkSize {
            try openChunk(pending[offset..<offset + StreamFormat.sealedChunkSize], last: false, into: &out)
            offset += StreamFormat.sealedChunkSize
        }
        if offset > 0 { pending.removeFirst(offset) }
        return out
    }

    /// Opens the final chunk; throws if the stream was truncated, extended or altered.
    public mutating func finish() throws -> [UInt8] {
        guard !finished else { throw CryptoFailure.authenticationFailed }
        finished = true
        let offset = try readHeaderIfNeeded()
        guard key != nil else { throw CryptoFailure.unsupportedFormat }
        let rest = pending[offset...]
        guard rest.count >= StreamFormat.tagSize else { throw CryptoFailure.authenticationFailed }
        // Only an empty stream may end in an empty chunk.
        if counter > 0 && rest.count == StreamFormat.tagSize { throw CryptoFailure.authenticationFailed }
        var out = [UInt8]()
        try openChunk(rest, last: true, into: &out)
        pending = []
        return out
    }

    private mutating func readHeaderIfNeeded() throws -> Int {
        guard key == nil else { return 0 }
        guard pending.count >= StreamFormat.headerSize else { return 0 }
        let head = Array(pending[0..<StreamFormat.headerSize])
        guard Array(head[0..<4]) == StreamFormat.magic, head[4] == StreamFormat.version,
              head[5] == 0, head[6] == 0, head[7] == 0
        else { throw CryptoFailure.unsupportedFormat }
        header = head
        key = StreamFormat.payloadKey(dataKey: dataKey, salt: Array(head[8..<24]))
        return StreamFormat.headerSize
    }

    private mutating func openChunk(_ sealed: ArraySlice<UInt8>, last: Bool, into out: inout [UInt8]) throws {
        guard let key else { throw CryptoFailure.unsupportedFormat }
        let split = sealed.endIndex - StreamFormat.tagSize
        do {
            let box = try AES.GCM.SealedBox(
                nonce: StreamFormat.nonce(counter: counter, last: last),
                ciphertext: sealed[sealed.startIndex..<split], tag: sealed[split...])
            out.append(contentsOf: try AES.GCM.open(box, using: key, authenticating: header))
        } catch {
            throw CryptoFailure.authenticationFailed
        }
        counter += 1
    }

    /// Opens a whole small value in one call.
    public static func open<D: DataProtocol>(_ ciphertext: D, dataKey: SymmetricKey) throws -> [UInt8] {
        var opener = StreamOpener(dataKey: dataKey)
        var out = try opener.update(ciphertext)
        out += try opener.finish()
        return out
    }
}
