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

    /// Opens (creating it if needed) the file of a resumable upload, locked against every other
    /// writer in any process; throws `UploadFileBusy` if another holds it.
    func openUpload(id: String) throws -> any UploadFile
    /// Makes a finished upload's file a committed blob under the same id; nothing to do if it
    /// already is one (it was moved before a crash).
    func promoteUpload(id: String) throws
    func deleteUpload(id: String) throws
    /// Upload files last modified before `date`.
    func uploadFiles(olderThan date: Date) throws -> [String]
}

/// The file of a resumable upload, written in place across many requests.
public protocol UploadFile: AnyObject, Sendable {
    /// This open made the file (there was none under the upload's name).
    var created: Bool { get }
    func size() throws -> Int64
    func read(at offset: Int64, count: Int) throws -> [UInt8]
    /// Cuts off anything past `size` (a chunk half-written when the process died).
    func truncate(to size: Int64) throws
    func append(_ bytes: [UInt8]) throws
    /// Flushes to disk: what was appended survives a crash.
    func sync() throws
    /// Replaces, atomically and durably, the sealed bytes that arrived after the last whole chunk.
    func writeTail(_ sealed: [UInt8]) throws
    /// Those bytes, or nil if there are none.
    func readTail() throws -> [UInt8]?
    func removeTail() throws
    func close()
}

/// Another request (in this process or another) is writing the same upload.
public struct UploadFileBusy: Error {
    public init() {}
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
