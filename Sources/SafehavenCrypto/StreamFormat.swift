@preconcurrency import Crypto
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
    /// A hash that should be 32 bytes of hex was not.
    case malformedHash
    /// A chunk given to `ChunkSealer` was not the size its position requires.
    case chunkOutOfPlace
}

/// What a sealed blob belongs to: its share, whether it is the message or a file, and which file.
/// Format v2 binds it into the payload key, so a blob swapped with another on disk, or moved to
/// another share, fails to open.
public struct BlobBinding: Sendable, Equatable {
    public enum Kind: String, Sendable { case message, file }
    public let shareID: String
    public let kind: Kind
    public let fileID: String

    public static func message(share: String) -> BlobBinding { BlobBinding(shareID: share, kind: .message, fileID: "") }
    public static func file(share: String, file: String) -> BlobBinding { BlobBinding(shareID: share, kind: .file, fileID: file) }

    /// Length-prefixed, so no two bindings encode alike.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        for field in [shareID, kind.rawValue, fileID] {
            out += Encoding.bigEndian(UInt64(field.utf8.count), width: 4)
            out += Array(field.utf8)
        }
        return out
    }
}

/// Safehaven blob format: the STREAM construction over AES-256-GCM.
///
/// Layout: a 24-byte header (`"SHVN"`, version, three zero bytes, 16-byte salt), then chunks of
/// 64 KiB plaintext each sealed with a 16-byte tag; the last chunk may be shorter and is empty only
/// when the whole plaintext is. The payload key is HKDF-SHA256(data key, salt, info) with info
/// `"safehaven/stream/v2"` followed by the blob's binding (version 2, written today) or
/// `"safehaven/stream/v1"` alone (version 1, still read), so one data key can seal a share's message
/// and all of its files without nonce reuse. The nonce is an 11-byte big-endian chunk counter
/// followed by a last-chunk flag byte, and the header is authenticated with every chunk. See
/// docs/formats.md.
public enum StreamFormat {
    public static let magic: [UInt8] = Array("SHVN".utf8)
    /// The version written; version 1 (no binding) is still read.
    public static let version: UInt8 = 2
    public static let headerSize = 24
    public static let chunkSize = 64 * 1024
    public static let tagSize = 16
    public static let sealedChunkSize = chunkSize + tagSize

    /// Ciphertext size for a plaintext of `plaintextSize` bytes.
    public static func sealedSize(plaintextSize: Int64) -> Int64 {
        let chunks = max(1, (plaintextSize + Int64(chunkSize) - 1) / Int64(chunkSize))
        return Int64(headerSize) + plaintextSize + chunks * Int64(tagSize)
    }

    static func payloadKey(dataKey: SymmetricKey, salt: [UInt8], version: UInt8, binding: BlobBinding?) -> SymmetricKey {
        let info = version == 1 ? Array("safehaven/stream/v1".utf8) : Array("safehaven/stream/v2".utf8) + (binding?.bytes ?? [])
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: dataKey, salt: salt, info: info, outputByteCount: 32)
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
public struct StreamSealer: Sendable {
    private let key: SymmetricKey
    private let header: [UInt8]
    private var pending: [UInt8] = []
    private var counter: UInt64 = 0
    private var headerEmitted = false
    private var finished = false

    /// - Parameters:
    ///   - dataKey: the share's 256-bit data key.
    ///   - binding: what the blob belongs to; opening it as anything else fails.
    ///   - random: source of the per-blob salt.
    public init(dataKey: SymmetricKey, binding: BlobBinding, random: any RandomSource) {
        self.init(dataKey: dataKey, version: StreamFormat.version, binding: binding, random: random)
    }

    /// Writes the unbound version 1, for tests that prove old blobs stay readable.
    public static func legacyV1(dataKey: SymmetricKey, random: any RandomSource) -> StreamSealer {
        StreamSealer(dataKey: dataKey, version: 1, binding: nil, random: random)
    }

    private init(dataKey: SymmetricKey, version: UInt8, binding: BlobBinding?, random: any RandomSource) {
        let salt = random.bytes(16)
        self.header = StreamFormat.magic + [version, 0, 0, 0] + salt
        self.key = StreamFormat.payloadKey(dataKey: dataKey, salt: salt, version: version, binding: binding)
        self.pending.reserveCapacity(StreamFormat.chunkSize * 2)
    }

    /// Adds plaintext and returns whatever ciphertext is ready (possibly nothing).
    public mutating func update<D: DataProtocol>(_ plaintext: D) throws -> [UInt8] {
        if let out = try plaintext.withContiguousStorageIfAvailable({ try update(raw: UnsafeRawBufferPointer($0)) }) {
            return out
        }
        return try Array(plaintext).withUnsafeBytes { try update(raw: $0) }
    }

    /// The fast path: whole chunks are sealed straight from the caller's buffer; only a tail
    /// shorter than a chunk is copied aside. One full chunk is always held back, because only
    /// `finish` knows which chunk is the last.
    public mutating func update(raw input: UnsafeRawBufferPointer) throws -> [UInt8] {
        precondition(!finished, "StreamSealer used after finish")
        var out = takeHeader()
        out.reserveCapacity(out.count + input.count + (input.count / StreamFormat.chunkSize + 1) * StreamFormat.tagSize)
        var offset = 0
        while offset < input.count {
            if pending.count == StreamFormat.chunkSize {
                try pending.withUnsafeBytes { try sealChunk($0, last: false, into: &out) }
                pending.removeAll(keepingCapacity: true)
            }
            let remaining = input.count - offset
            if pending.isEmpty && remaining > StreamFormat.chunkSize {
                try sealChunk(UnsafeRawBufferPointer(rebasing: input[offset..<offset + StreamFormat.chunkSize]), last: false, into: &out)
                offset += StreamFormat.chunkSize
                continue
            }
            let take = min(StreamFormat.chunkSize - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
            offset += take
        }
        return out
    }

    /// Seals the final chunk and returns the remaining ciphertext.
    public mutating func finish() throws -> [UInt8] {
        precondition(!finished, "StreamSealer finished twice")
        var out = takeHeader()
        try pending.withUnsafeBytes { try sealChunk($0, last: true, into: &out) }
        pending = []
        finished = true
        return out
    }

    private mutating func takeHeader() -> [UInt8] {
        guard !headerEmitted else { return [] }
        headerEmitted = true
        return header
    }

    private mutating func sealChunk(_ chunk: UnsafeRawBufferPointer, last: Bool, into out: inout [UInt8]) throws {
        let nonce = StreamFormat.nonce(counter: counter, last: last)
        // Hand BoringSSL raw buffers: the generic DataProtocol paths copy byte by byte.
        let box = try header.withUnsafeBytes { aad in try AES.GCM.seal(chunk, using: key, nonce: nonce, authenticating: aad) }
        box.ciphertext.appendBytes(to: &out)
        box.tag.appendBytes(to: &out)
        counter += 1
    }

    /// Seals a whole small value in one call (used for share messages).
    public static func seal<D: DataProtocol>(_ plaintext: D, dataKey: SymmetricKey, binding: BlobBinding,
                                             random: any RandomSource) throws -> [UInt8] {
        var sealer = StreamSealer(dataKey: dataKey, binding: binding, random: random)
        var out = try sealer.update(plaintext)
        out += try sealer.finish()
        return out
    }
}

/// Opens a STREAM ciphertext incrementally. Output is released chunk by chunk, but a caller must
/// treat nothing as valid until `finish()` succeeds: truncation is only detectable at the end.
public struct StreamOpener: Sendable {
    private let dataKey: SymmetricKey
    private let binding: BlobBinding
    private var key: SymmetricKey?
    private var header: [UInt8] = []
    private var pending: [UInt8] = []
    private var counter: UInt64 = 0
    private var finished = false

    /// Opens a blob sealed for `binding` (version 2) or an unbound version 1 blob.
    public init(dataKey: SymmetricKey, binding: BlobBinding) {
        self.dataKey = dataKey
        self.binding = binding
        self.pending.reserveCapacity(StreamFormat.sealedChunkSize * 2)
    }

    /// Adds ciphertext and returns whatever plaintext has been authenticated so far.
    public mutating func update<D: DataProtocol>(_ ciphertext: D) throws -> [UInt8] {
        if let out = try ciphertext.withContiguousStorageIfAvailable({ try update(raw: UnsafeRawBufferPointer($0)) }) {
            return out
        }
        return try Array(ciphertext).withUnsafeBytes { try update(raw: $0) }
    }

    /// Like the sealer: whole sealed chunks are opened in place, one is always held back.
    public mutating func update(raw input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard !finished else { throw CryptoFailure.authenticationFailed }
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var offset = 0
        if key == nil {
            let take = min(StreamFormat.headerSize - pending.count, input.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<take]))
            offset = take
            guard pending.count == StreamFormat.headerSize else { return out }
            try readHeader(pending)
            pending.removeAll(keepingCapacity: true)
        }
        let size = StreamFormat.sealedChunkSize
        while offset < input.count {
            if pending.count == size {
                try pending.withUnsafeBytes { try openChunk($0, last: false, into: &out) }
                pending.removeAll(keepingCapacity: true)
            }
            let remaining = input.count - offset
            if pending.isEmpty && remaining > size {
                try openChunk(UnsafeRawBufferPointer(rebasing: input[offset..<offset + size]), last: false, into: &out)
                offset += size
                continue
            }
            let take = min(size - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
            offset += take
        }
        return out
    }

    /// Opens the final chunk; throws if the stream was truncated, extended or altered.
    public mutating func finish() throws -> [UInt8] {
        guard !finished else { throw CryptoFailure.authenticationFailed }
        finished = true
        guard key != nil else { throw CryptoFailure.unsupportedFormat }
        guard pending.count >= StreamFormat.tagSize else { throw CryptoFailure.authenticationFailed }
        // Only an empty stream may end in an empty chunk.
        if counter > 0 && pending.count == StreamFormat.tagSize { throw CryptoFailure.authenticationFailed }
        var out = [UInt8]()
        try pending.withUnsafeBytes { try openChunk($0, last: true, into: &out) }
        pending = []
        return out
    }

    private mutating func readHeader(_ head: [UInt8]) throws {
        guard Array(head[0..<4]) == StreamFormat.magic, head[4] == 1 || head[4] == 2,
              head[5] == 0, head[6] == 0, head[7] == 0
        else { throw CryptoFailure.unsupportedFormat }
        header = head
        key = StreamFormat.payloadKey(dataKey: dataKey, salt: Array(head[8..<24]), version: head[4], binding: binding)
    }

    private mutating func openChunk(_ sealed: UnsafeRawBufferPointer, last: Bool, into out: inout [UInt8]) throws {
        guard let key else { throw CryptoFailure.unsupportedFormat }
        let nonce = StreamFormat.nonce(counter: counter, last: last)
        let split = sealed.count - StreamFormat.tagSize
        do {
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: UnsafeRawBufferPointer(rebasing: sealed[0..<split]),
                tag: UnsafeRawBufferPointer(rebasing: sealed[split...]))
            let plain = try header.withUnsafeBytes { aad in try AES.GCM.open(box, using: key, authenticating: aad) }
            plain.appendBytes(to: &out)
        } catch {
            throw CryptoFailure.authenticationFailed
        }
        counter += 1
    }

    /// Opens a whole small value in one call.
    public static func open<D: DataProtocol>(_ ciphertext: D, dataKey: SymmetricKey, binding: BlobBinding) throws -> [UInt8] {
        var opener = StreamOpener(dataKey: dataKey, binding: binding)
        var out = try opener.update(ciphertext)
        out += try opener.finish()
        return out
    }
}

extension Data {
    /// Appends with one memcpy; `Array.append(contentsOf: Data)` walks the bytes one at a time.
    @inline(__always)
    func appendBytes(to out: inout [UInt8]) {
        withUnsafeBytes { raw in out.append(contentsOf: raw.bindMemory(to: UInt8.self)) }
    }
}
