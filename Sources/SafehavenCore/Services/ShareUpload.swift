import Crypto
import Foundation
import SafehavenCrypto

/// One share being received: its id and data key exist from the first byte, files are sealed
/// into the blob store as they stream in, and nothing is visible until `ShareService.commit`.
/// If anything fails, `discard()` removes every blob written so far.
public final class ShareUpload: @unchecked Sendable {
    public let shareID: String
    public let sender: User
    let dataKey: SymmetricKey
    let deps: Dependencies
    let parent: Share?
    var plan: ShareService.Plan?
    public private(set) var files: [ShareFile] = []
    var blobIDs: [String] = []
    var totalBytes: Int64 = 0
    private var open: IncomingFile?

    init(shareID: String, sender: User, parent: Share?, deps: Dependencies) {
        self.shareID = shareID
        self.sender = sender
        self.parent = parent
        self.deps = deps
        self.dataKey = KeyEncryptionKey.newDataKey(random: deps.random)
    }

    /// Starts the next attachment. Only one file is open at a time.
    public func beginFile(name rawName: String, contentType: String) throws -> IncomingFile {
        // A request can only get here by a parser bug; refuse rather than trap the whole server.
        guard open == nil else { throw SafehavenError.badRequest("malformed_multipart", "A file part started before the previous one ended.") }
        guard files.count < deps.limits.maxFilesPerShare else {
            throw SafehavenError(.tooLarge, code: "too_many_files", message: "A share can carry at most \(deps.limits.maxFilesPerShare) files.")
        }
        let blobID = deps.ids.next()
        let writer = try deps.blobs.makeWriter(id: blobID)
        let file = IncomingFile(upload: self, fileID: deps.ids.next(), blobID: blobID, name: FileName.sanitise(rawName),
                                contentType: Self.safeContentType(contentType), writer: writer)
        open = file
        return file
    }

    func account(bytes: Int) throws {
        totalBytes += Int64(bytes)
        if totalBytes > deps.limits.maxShareBytes {
            throw SafehavenError(.tooLarge, code: "too_large",
                                 message: "A share can carry at most \(deps.limits.maxShareBytes) bytes in all.")
        }
    }

    func finished(_ file: ShareFile) {
        files.append(file)
        blobIDs.append(file.blobID)
        open = nil
    }

    func aborted(blobID: String) { open = nil }

    /// Removes everything written; safe to call more than once.
    public func discard() {
        open?.abort()
        open = nil
        for id in blobIDs { try? deps.blobs.delete(id: id) }
        blobIDs = []
        files = []
    }

    /// Content types are only a hint to the recipient's browser; anything odd becomes a download.
    static func safeContentType(_ raw: String) -> String {
        let value = raw.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-/")
        guard !value.isEmpty, value.count <= 100, value.split(separator: "/").count == 2, value.allSatisfy({ allowed.contains($0) }) else {
            return "application/octet-stream"
        }
        return value
    }
}

/// An attachment being streamed in: bytes are counted, hashed and sealed chunk by chunk straight
/// to a blob writer, so memory stays flat whatever the size.
public final class IncomingFile: @unchecked Sendable {
    let upload: ShareUpload
    let fileID: String
    let blobID: String
    public let name: String
    let contentType: String
    let writer: any BlobWriter
    var sealer: StreamSealer
    var digest = SHA256Digester()
    var size: Int64 = 0
    var done = false

    init(upload: ShareUpload, fileID: String, blobID: String, name: String, contentType: String, writer: any BlobWriter) {
        self.upload = upload
        self.fileID = fileID
        self.blobID = blobID
        self.name = name
        self.contentType = contentType
        self.writer = writer
        self.sealer = StreamSealer(dataKey: upload.dataKey, random: upload.deps.random)
    }

    public func write<D: DataProtocol>(_ bytes: D) throws {
        try upload.account(bytes: bytes.count)
        size += Int64(bytes.count)
        digest.update(bytes)
        let sealed = try sealer.update(bytes)
        if !sealed.isEmpty { try writer.write(sealed) }
    }

    @discardableResult
    public func finish() throws -> ShareFile {
        let tail = try sealer.finish()
        try writer.write(tail)
        try writer.commit()
        done = true
        let file = ShareFile(id: fileID, shareID: upload.shareID, name: name, contentType: contentType, size: size,
                             sha256: digest.finalizeHex(), blobID: blobID)
        upload.finished(file)
        return file
    }

    public func abort() {
        guard !done else { return }
        done = true
        writer.abort()
        upload.aborted(blobID: blobID)
    }
}
