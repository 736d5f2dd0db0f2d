@preconcurrency import Crypto
import Foundation

/// Seals a stream of known length chunk by chunk at known positions, for uploads that arrive in
/// pieces over hours and must resume after a restart. It writes exactly the blob format of
/// `StreamSealer` (same header, keys, nonces and chunk size), but because the total length is
/// known from the start it can seal each chunk as soon as it is whole, marking the last one,
/// instead of holding one back. Its only state is the header, so it can be rebuilt from the
/// first bytes of a partly written blob.
public struct ChunkSealer: Sendable {
    public let header: [UInt8]
    private let key: SymmetricKey

    /// Starts a new blob with a fresh salt.
    public init(dataKey: SymmetricKey, binding: BlobBinding, random: any RandomSource) {
        let salt = random.bytes(16)
        self.header = StreamFormat.magic + [StreamFormat.version, 0, 0, 0] + salt
        self.key = StreamFormat.payloadKey(dataKey: dataKey, salt: salt, version: StreamFormat.version, binding: binding)
    }

    /// Carries on a blob whose header was written earlier.
    public init(dataKey: SymmetricKey, binding: BlobBinding, header: [UInt8]) throws {
        guard header.count == StreamFormat.headerSize, Array(header[0..<4]) == StreamFormat.magic, header[4] == StreamFormat.version,
              header[5] == 0, header[6] == 0, header[7] == 0 else { throw CryptoFailure.unsupportedFormat }
        self.header = header
        self.key = StreamFormat.payloadKey(dataKey: dataKey, salt: Array(header[8..<24]), version: StreamFormat.version, binding: binding)
    }

    /// How many chunks a plaintext of `length` bytes takes (an empty one still takes one).
    public static func chunks(length: Int64) -> Int64 {
        max(1, (length + Int64(StreamFormat.chunkSize) - 1) / Int64(StreamFormat.chunkSize))
    }

    /// Where chunk `index` starts in the blob.
    public static func blobOffset(chunk index: Int64) -> Int64 {
        Int64(StreamFormat.headerSize) + index * Int64(StreamFormat.sealedChunkSize)
    }

    /// Seals chunk `index` of a plaintext `length` bytes long. Every chunk but the last must be
    /// exactly one chunk size; the last holds what remains.
    public func seal(_ chunk: UnsafeRawBufferPointer, index: Int64, length: Int64) throws -> [UInt8] {
        let last = index == Self.chunks(length: length) - 1
        let expected = last ? Int(length - index * Int64(StreamFormat.chunkSize)) : StreamFormat.chunkSize
        guard index >= 0, index < Self.chunks(length: length), chunk.count == expected else {
            throw CryptoFailure.chunkOutOfPlace
        }
        let nonce = StreamFormat.nonce(counter: UInt64(index), last: last)
        let box = try header.withUnsafeBytes { aad in try AES.GCM.seal(chunk, using: key, nonce: nonce, authenticating: aad) }
        var out = [UInt8]()
        out.reserveCapacity(chunk.count + StreamFormat.tagSize)
        box.ciphertext.appendBytes(to: &out)
        box.tag.appendBytes(to: &out)
        return out
    }

    /// Opens chunk `index` of a blob sealed this way (to recover bytes after a restart).
    public func open(_ sealed: UnsafeRawBufferPointer, index: Int64, length: Int64) throws -> [UInt8] {
        guard index >= 0, index < Self.chunks(length: length), sealed.count >= StreamFormat.tagSize else { throw CryptoFailure.chunkOutOfPlace }
        let last = index == Self.chunks(length: length) - 1
        let split = sealed.count - StreamFormat.tagSize
        do {
            let box = try AES.GCM.SealedBox(nonce: StreamFormat.nonce(counter: UInt64(index), last: last),
                                            ciphertext: UnsafeRawBufferPointer(rebasing: sealed[0..<split]),
                                            tag: UnsafeRawBufferPointer(rebasing: sealed[split...]))
            var out = [UInt8]()
            try header.withUnsafeBytes { aad in try AES.GCM.open(box, using: key, authenticating: aad) }.appendBytes(to: &out)
            return out
        } catch {
            throw CryptoFailure.authenticationFailed
        }
    }
}
