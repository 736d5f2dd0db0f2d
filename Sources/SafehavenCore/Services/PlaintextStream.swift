import Crypto
import Foundation
import SafehavenCrypto
import Synchronization

/// Plaintext of one file, opened from its sealed blob as it is read and checked against the
/// SHA-256 recorded at upload. The opener's state sits behind a lock, so the stream can be handed
/// to the task that writes the response.
public final class PlaintextStream: Sendable {
    struct State {
        var opener: StreamOpener
        var digest = SHA256Digester()
        var finished = false
    }
    let reader: any BlobReader
    let expectedSHA256: String?
    private let state: Mutex<State>
    /// One sealed chunk per read keeps every buffer under malloc's mmap threshold: larger buffers are
    /// mapped and unmapped on each call and the page faults cost more than the cipher.
    public static let readSize = StreamFormat.sealedChunkSize

    init(reader: any BlobReader, dataKey: SymmetricKey, binding: BlobBinding, sha256: String?) {
        self.reader = reader
        self.expectedSHA256 = sha256
        self.state = Mutex(State(opener: StreamOpener(dataKey: dataKey, binding: binding)))
    }

    /// The next plaintext bytes; nil at the end. Throws `CryptoFailure` if the blob was damaged,
    /// swapped or tampered with, including when the whole plaintext does not match its SHA-256.
    public func next() throws -> [UInt8]? {
        let reader = self.reader
        let expected = expectedSHA256
        return try state.withLock { state in
            while !state.finished {
                let chunk = try reader.read(max: Self.readSize)
                if chunk.isEmpty {
                    state.finished = true
                    reader.close()
                    let tail = try state.opener.finish()
                    state.digest.update(tail)
                    if let expected, state.digest.finalizeHex() != expected { throw CryptoFailure.authenticationFailed }
                    return tail
                }
                let out = try state.opener.update(chunk)
                if !out.isEmpty {
                    state.digest.update(out)
                    return out
                }
            }
            return nil
        }
    }

    public func close() { reader.close() }
}
