@preconcurrency import Crypto
import Foundation
import SafehavenArchive
import SafehavenCrypto
import Synchronization

/// One share being received: its id and data key exist from the first byte, files are sealed
/// into the blob store as they stream in, and nothing is visible until `ShareService.commit`.
/// If anything fails, `discard()` removes every blob written so far. What changes as the upload
/// proceeds sits behind one lock.
public final class ShareUpload: Sendable {
    public let shareID: String
    public let sender: User
    let dataKey: SymmetricKey
    let deps: Dependencies
    let parent: Share?

    /// Files uploaded earlier into the draft this share is sent from: they belong to the draft
    /// until the share commits, so a failed send leaves them in place for another try.
    let drafted: [ResumableUpload]

    struct State {
        var plan: ShareService.Plan?
        var files: [ShareFile] = []
        var blobIDs: [String] = []
        var totalBytes: Int64 = 0
        var open: IncomingFile?
        /// Distinct identifiers across every text file of the share.
        var tally = IdentifierTally()
        /// Files accepted without a malware verdict (the scanner was down and the policy allows it).
        var notScanned = 0
    }
    private let state = Mutex(State())

    init(shareID: String, sender: User, parent: Share?, deps: Dependencies, dataKey: SymmetricKey? = nil, draftID: String? = nil,
         drafted: [ResumableUpload] = []) {
        self.draftID = draftID
        self.shareID = shareID
        self.sender = sender
        self.parent = parent
        self.deps = deps
        self.dataKey = dataKey ?? KeyEncryptionKey.newDataKey(random: deps.random)
        self.drafted = drafted
        state.withLock { $0.totalBytes = drafted.reduce(0) { $0 + $1.length } }
    }

    /// The draft this share is sent from (its id is the share's), if any.
    let draftID: String?

    /// The checked draft, once `ShareService.accept` has seen it.
    var plan: ShareService.Plan? {
        get { state.withLock { $0.plan } }
        set { state.withLock { $0.plan = newValue } }
    }

    /// Records in the audit trail that a file was refused as malware (the signature, never the file's name).
    func refuseInfected(signature: String) async throws {
        let now = deps.clock.now()
        let (sender, share) = (self.sender, self.shareID)
        _ = try await deps.store.write { tx in
            try await tx.appendAudit(.malwareRefused(by: sender, target: share, signature: signature), at: now)
        }
    }

    /// Files accepted without a malware verdict.
    public var filesNotScanned: Int { state.withLock { $0.notScanned } + drafted.filter(\.notScanned).count }

    /// The scanner could not give a verdict: refuse the share, or (by policy) carry on and flag it.
    func scannerDown(_ error: Error) throws {
        guard deps.scannerDown == .allowAndFlag else {
            throw SafehavenError.scannerUnavailable
        }
        state.withLock { $0.notScanned += 1 }
    }

    /// Distinct identifiers of people found in the share's text files so far.
    /// Files uploaded into a draft were counted one by one, so the same person in two of them counts twice.
    public var identifiersInFiles: Int { state.withLock { $0.tally.count } + drafted.reduce(0) { $0 + $1.identifiers } }

    func tally<D: DataProtocol>(_ bytes: D) { state.withLock { $0.tally.update(bytes) } }
    func endTally() { _ = state.withLock { $0.tally.finish() } }

    /// The files received completely so far, those of the draft first.
    public var files: [ShareFile] { drafted.map { $0.file() } + state.withLock { $0.files } }

    /// Starts the next attachment. Only one file is open at a time.
    public func beginFile(name rawName: String, contentType: String) async throws -> IncomingFile {
        let limits = deps.limits
        try state.withLock { state in
            // A request can only get here by a parser bug; refuse rather than trap the whole server.
            guard state.open == nil else {
                throw SafehavenError.badRequest("malformed_multipart", "A file part started before the previous one ended.")
            }
            guard drafted.count + state.files.count < limits.maxFilesPerShare else {
                throw SafehavenError(.tooLarge, code: "too_many_files", message: "A share can carry at most \(limits.maxFilesPerShare) files.")
            }
        }
        var scan: (any MalwareScan)?
        if let scanner = deps.scanner {
            do { scan = try await scanner.begin() } catch { try scannerDown(error) }
        }
        let blobID = deps.ids.next()
        deps.inProgress.add(blobID)
        let writer: any BlobWriter
        do {
            writer = try deps.blobs.makeWriter(id: blobID)
        } catch {
            deps.inProgress.remove(blobID)
            scan?.cancel()
            throw error
        }
        let name = FileName.sanitise(rawName)
        let type = Self.safeContentType(contentType)
        let file = IncomingFile(upload: self, fileID: deps.ids.next(), blobID: blobID, name: name, contentType: type, writer: writer,
                                readsText: IdentifierTally.reads(name: name, contentType: type), readsOffice: OfficeTextStream.reads(name: name), scan: scan)
        state.withLock { $0.open = file }
        return file
    }

    func account(bytes: Int) throws {
        let limit = deps.limits.maxShareBytes
        try state.withLock { state in
            state.totalBytes += Int64(bytes)
            if state.totalBytes > limit {
                throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(limit) bytes in all.")
            }
        }
    }

    func finished(_ file: ShareFile) {
        state.withLock { state in
            state.files.append(file)
            state.blobIDs.append(file.blobID)
            state.open = nil
        }
    }

    func aborted(blobID: String) {
        state.withLock { $0.open = nil }
        deps.inProgress.remove(blobID)
    }

    /// The upload is committed (its rows now refer to its blobs) or given up: nothing is in progress.
    func settled() {
        deps.inProgress.remove(state.withLock { $0.blobIDs })
    }

    /// Removes everything written; safe to call more than once.
    public func discard() {
        let (open, blobIDs) = state.withLock { state in
            defer {
                state.open = nil
                state.blobIDs = []
                state.files = []
            }
            return (state.open, state.blobIDs)
        }
        open?.abort()
        for id in blobIDs { try? deps.blobs.delete(id: id) }
        deps.inProgress.remove(blobIDs)
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
public final class IncomingFile: Sendable {
    let upload: ShareUpload
    let fileID: String
    let blobID: String
    public let name: String
    let contentType: String
    let writer: any BlobWriter
    /// A text file: its identifiers are counted as it streams.
    let readsText: Bool

    struct State {
        var sealer: StreamSealer
        /// The malware scan this file streams through; nil without a scanner, or once it went down under `allow-and-flag`.
        var scan: (any MalwareScan)?
        /// A Word, Excel or PowerPoint file: its text is read out of the ZIP as it streams.
        var office: OfficeTextStream?
        var digest = SHA256Digester()
        var size: Int64 = 0
        var done = false
    }
    private let state: Mutex<State>

    init(upload: ShareUpload, fileID: String, blobID: String, name: String, contentType: String, writer: any BlobWriter, readsText: Bool,
         readsOffice: Bool = false, scan: (any MalwareScan)? = nil) {
        self.readsText = readsText
        self.upload = upload
        self.fileID = fileID
        self.blobID = blobID
        self.name = name
        self.contentType = contentType
        self.writer = writer
        self.state = Mutex(State(sealer: StreamSealer(dataKey: upload.dataKey, binding: .file(share: upload.shareID, file: fileID),
                                                      random: upload.deps.random), scan: scan,
                                 office: readsOffice && !readsText ? OfficeTextStream() : nil))
    }

    public func write<D: DataProtocol>(_ bytes: D) async throws {
        try upload.account(bytes: bytes.count)
        let upload = self.upload
        let (sealed, scan) = try state.withLock { state in
            state.size += Int64(bytes.count)
            state.digest.update(bytes)
            state.office?.update(bytes) { upload.tally($0) }
            return (try state.sealer.update(bytes), state.scan)
        }
        if !sealed.isEmpty { try writer.write(sealed) }
        if readsText { upload.tally(bytes) }
        if let scan {
            do { try await scan.feed(Array(bytes)) } catch { try lostScanner(error) }
        }
    }

    /// The scanner went away mid-file: refuse, or carry on unscanned when the policy allows.
    private func lostScanner(_ error: Error) throws {
        let scan = state.withLock { state in
            defer { state.scan = nil }
            return state.scan
        }
        scan?.cancel()
        try upload.scannerDown(error)
    }

    @discardableResult
    public func finish() async throws -> ShareFile {
        if let scan = state.withLock({ $0.scan }) {
            var verdict = MalwareVerdict.clean
            do { verdict = try await scan.finish() } catch { try lostScanner(error) }
            if case .infected(let signature) = verdict {
                try await upload.refuseInfected(signature: signature)
                throw SafehavenError.malwareFound(name, signature: signature)
            }
        }
        let (tail, size, sha256) = try state.withLock { state in
            (try state.sealer.finish(), state.size, state.digest.finalizeHex())
        }
        try writer.write(tail)
        try writer.commit()
        if readsText || state.withLock({ $0.office != nil }) { upload.endTally() }
        state.withLock { $0.done = true }
        let file = ShareFile(id: fileID, shareID: upload.shareID, name: name, contentType: contentType, size: size,
                             sha256: sha256, blobID: blobID)
        upload.finished(file)
        return file
    }

    public func abort() {
        let wasDone = state.withLock { state in
            defer { state.done = true }
            return state.done
        }
        guard !wasDone else { return }
        state.withLock { $0.scan }?.cancel()
        writer.abort()
        upload.aborted(blobID: blobID)
    }
}
