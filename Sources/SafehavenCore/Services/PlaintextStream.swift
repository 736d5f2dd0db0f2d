import Crypto
import Foundation
import SafehavenCrypto

/// Plaintext of one file, opened from its sealed blob as it is read.
public final class PlaintextStream: @unchecked Sendable {
    let reader: any BlobReader
    var opener: StreamOpener
    var finished = false
    /// One sealed chunk per read keeps every buffer under malloc's mmap threshold: larger buffers are
    /// mapped and unmapped on each call and the page faults cost more than the cipher.
    public static let readSize = StreamFormat.sealedChunkSize

    init(reader: any BlobReader, dataKey: SymmetricKey) {
        self.reader = reader
        self.opener = StreamOpener(dataKey: dataKey)
    }

    /// The next plaintext bytes; nil at the end. Throws `CryptoFailure` if the blob was tampered with.
    public func next() throws -> [UInt8]? {
        while !finished {
            let chunk = try reader.read(max: Self.readSize)
            if chunk.isEmpty {
                finished = true
                reader.close()
                return try opener.finish()
            }
            let out = try opener.update(chunk)
            if !out.isEmpty { return out }
        }
        return nil
    }

    public func close() { reader.close() }
}
