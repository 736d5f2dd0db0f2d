import Crypto
import Foundation
import SafehavenCrypto
import Synchronization

/// Plaintext of one file, opened from its sealed blob as it is read. The opener's state sits
/// behind a lock, so the stream can be handed to the task that writes the response.
public final class PlaintextStream: Sendable {
    struct State {
        var opener: StreamOpener
        var finished = false
    }
    let reader: any BlobReader
    private let state: Mutex<State>
    /// One sealed chunk per read keeps every buffer under malloc's mmap threshold: larger buffers are
    /// mapped and unmapped on each call and the page faults cost more than the cipher.
    public static let readSize = StreamFormat.sealedChunkSize

    init(reader: any BlobReader, dataKey: SymmetricKey) {
        self.reader = reader
        self.state = Mutex(State(opener: StreamOpener(dataKey: dataKey)))
    }

    /// The next plaintext bytes; nil at the end. Throws `CryptoFailure` if the blob was tampered with.
    public func next() throws -> [UInt8]? {
        let reader = self.reader
        return try state.withLock { state in
            while !state.finished {
                let chunk = try reader.read(max: Self.readSize)
                if chunk.isEmpty {
                    state.finished = true
                    reader.close()
                    return try state.opener.finish()
                }
                let out = try state.opener.update(chunk)
                if !out.isEmpty { return out }
            }
            return nil
        }
    }

    public func close() { reader.close() }
}
