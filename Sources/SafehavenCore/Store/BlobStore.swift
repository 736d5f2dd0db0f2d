import Foundation

/// Where sealed bytes live. Blobs are written whole before the rows that refer to them commit,
/// so a crash leaves at most an orphan blob (swept later), never a row without its content.
public protocol BlobStore: Sendable {
    /// Starts writing a blob; nothing is visible until `commit`.
    func makeWriter(id: String) throws -> any BlobWriter
    /// Opens a committed blob for reading.
    func openReader(id: String) throws -> any BlobReader
    func delete(id: String) throws
    /// Committed blobs last modified before `date`.
    func sweepCandidates(olderThan date: Date) throws -> [String]
    /// Removes partial writes last modified before `date`, except those of the blobs in `keeping`.
    func removeAbandonedWrites(olderThan date: Date, keeping: Set<String>) throws -> Int
    /// Writes, syncs and removes a tiny file: throws when the data directory cannot be written.
    func probeWritable() throws
    /// Bytes free for the service on the file system holding the blobs; nil if unknown.
    func freeBytes() -> Int64?
}

/// One blob being written.
public protocol BlobWriter: AnyObject, Sendable {
    func write(_ bytes: [UInt8]) throws
    /// Flushes to disk and makes the blob visible atomically.
    func commit() throws
    /// Discards a partial write.
    func abort()
}

/// One blob being read.
public protocol BlobReader: AnyObject, Sendable {
    /// Up to `max` bytes; an empty array at the end.
    func read(max: Int) throws -> [UInt8]
    func close()
}
