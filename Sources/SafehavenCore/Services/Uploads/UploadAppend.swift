@preconcurrency import Crypto
import Foundation
import SafehavenArchive
import SafehavenCrypto
import Synchronization

/// The bytes of one request appended to a resumable upload. Whole chunks are sealed into the
/// upload's file as they fill; the part of a chunk that has arrived so far is sealed on its own
/// (the "tail", beside the file) whenever progress is recorded. Progress is recorded every
/// `checkpointBytes` and when the request ends or breaks off, each time after syncing, so every
/// byte the client is told arrived survives a crash. When the last byte arrives the file is read
/// back and checked (`UploadCheck`) before it counts as complete.
public final class UploadAppend: Sendable {
    public static let checkpointBytes: Int64 = 16 * 1024 * 1024
    let deps: Dependencies
    let upload: ResumableUpload
    /// Nil when the upload was already complete (a repeated final request).
    let file: (any UploadFile)?
    let sealer: ChunkSealer?
    let dataKey: SymmetricKey?

    struct State {
        /// Plaintext of the chunk being filled.
        var pending: [UInt8] = []
        /// Plaintext bytes sealed into whole chunks (or the whole length) so far.
        var sealed: Int64 = 0
        /// Bytes recorded as durable: what the client is told.
        var recorded: Int64
    }
    private let state: Mutex<State>

    init(upload: ResumableUpload, file: (any UploadFile)?, dataKey: SymmetricKey?, deps: Dependencies) throws {
        self.deps = deps
        self.upload = upload
        self.file = file
        self.dataKey = dataKey
        var start = State(recorded: upload.offset)
        guard let file, let key = dataKey, !upload.isComplete else {
            sealer = nil
            state = Mutex(start)
            return
        }
        let binding = BlobBinding.file(share: upload.draftID, file: upload.fileID)
        if upload.offset == 0 {
            // Nothing durable yet: start the blob again with a fresh header.
            try file.truncate(to: 0)
            try file.removeTail()
            let sealer = ChunkSealer(dataKey: key, binding: binding, random: deps.random)
            try file.append(sealer.header)
            self.sealer = sealer
        } else {
            let sealer = try ChunkSealer(dataKey: key, binding: binding, header: try file.read(at: 0, count: StreamFormat.headerSize))
            let chunk = Int64(StreamFormat.chunkSize)
            let whole = upload.offset / chunk
            let need = Int(upload.offset - whole * chunk)
            // The part-chunk recorded last time: from its tail, or (if more was sealed after the record) from the chunk itself.
            if need > 0 {
                if let tail = try Self.openTail(try file.readTail(), key: key, upload: upload, start: whole * chunk), tail.count >= need {
                    start.pending = Array(tail.prefix(need))
                } else {
                    let at = ChunkSealer.blobOffset(chunk: whole)
                    let sealedChunk = try file.read(at: at, count: StreamFormat.sealedChunkSize)
                    let plain = try sealedChunk.withUnsafeBytes { try sealer.open($0, index: whole, length: upload.length) }
                    guard plain.count >= need else { throw SafehavenError.damagedUpload }
                    start.pending = Array(plain.prefix(need))
                }
            }
            // Keep exactly the whole chunks recorded; anything after them was never acknowledged.
            let keep = ChunkSealer.blobOffset(chunk: whole)
            guard try file.size() >= keep else { throw SafehavenError.damagedUpload }
            try file.truncate(to: keep)
            start.sealed = whole * chunk
            self.sealer = sealer
        }
        state = Mutex(start)
    }

    /// Where the upload stands (what the client is told).
    public var offset: Int64 { state.withLock { $0.recorded } }
    public var length: Int64 { upload.length }

    /// Adds bytes from the request body.
    public func write<D: DataProtocol>(_ bytes: D) async throws {
        guard let file, let sealer else {
            if !bytes.isEmpty { throw Self.pastTheEnd(upload.length) }
            return
        }
        let length = upload.length
        let chunkSize = StreamFormat.chunkSize
        let out: [UInt8] = try state.withLock { state in
            guard state.sealed + Int64(state.pending.count) + Int64(bytes.count) <= length else { throw Self.pastTheEnd(length) }
            state.pending.append(contentsOf: bytes)
            var out: [UInt8] = []
            var start = 0
            // Every whole chunk, and the final chunk once its last byte is in.
            while true {
                let available = state.pending.count - start
                let whole = available >= chunkSize
                let isEnd = available > 0 && state.sealed + Int64(available) == length
                guard whole || isEnd else { break }
                let take = whole ? chunkSize : available
                let index = state.sealed / Int64(chunkSize)
                out += try state.pending.withUnsafeBytes { raw in
                    try sealer.seal(UnsafeRawBufferPointer(rebasing: raw[start..<start + take]), index: index, length: length)
                }
                start += take
                state.sealed += Int64(take)
            }
            if start > 0 { state.pending.removeFirst(start) }
            return out
        }
        if !out.isEmpty { try file.append(out) }
        let (sealed, recorded) = state.withLock { ($0.sealed, $0.recorded) }
        if sealed < length && sealed - recorded >= Self.checkpointBytes { try await checkpoint() }
    }

    /// Syncs the file, seals the part-chunk beside it, and records everything received as durable.
    private func checkpoint() async throws {
        guard let file, let dataKey else { return }
        let (sealed, pending, recorded) = state.withLock { ($0.sealed, $0.pending, $0.recorded) }
        let durable = sealed + Int64(pending.count)
        guard durable > recorded, durable < upload.length else { return }
        try file.sync()
        if pending.isEmpty {
            try file.removeTail()
        } else {
            try file.writeTail(try Self.sealTail(pending, key: dataKey, upload: upload, start: sealed, random: deps.random))
        }
        let expires = deps.clock.now().addingTimeInterval(TimeInterval(deps.limits.uploadHours) * 3600)
        let id = upload.id
        guard try await deps.store.write({ try await $0.advance(uploadID: id, from: recorded, to: durable, expiresAt: expires) }) else {
            throw UploadService.offsetMismatch(recorded)
        }
        state.withLock { $0.recorded = durable }
    }

    /// The request body ended. Records what arrived; when it was the last byte, checks the file and
    /// completes the upload. Returns the upload as it now stands.
    public func end() async throws -> ResumableUpload {
        defer { file?.close() }
        guard let file else { return upload }
        // An empty file is one empty final chunk.
        if upload.length == 0, let sealer, state.withLock({ $0.sealed }) == 0 {
            try file.append(try sealer.seal(UnsafeRawBufferPointer(start: nil, count: 0), index: 0, length: 0))
            try file.sync()
            return try await UploadCheck(upload: upload, file: file, deps: deps).run()
        }
        guard state.withLock({ $0.sealed }) == upload.length else {
            try await checkpoint()
            var now = upload
            now.offset = state.withLock { $0.recorded }
            now.expiresAt = deps.clock.now().addingTimeInterval(TimeInterval(deps.limits.uploadHours) * 3600)
            return now
        }
        try file.sync()
        return try await UploadCheck(upload: upload, file: file, deps: deps).run()
    }

    /// The request broke off: record what arrived, then give up the file.
    public func interrupted() async {
        defer { file?.close() }
        guard file != nil, state.withLock({ $0.sealed }) < upload.length else { return }
        try? await checkpoint()
    }

    // MARK: the tail

    /// Where the tail starts (8 bytes, big-endian), then its bytes sealed under the draft's key
    /// with a fresh salt, bound to the upload's file and that start.
    static func sealTail(_ plain: [UInt8], key: SymmetricKey, upload: ResumableUpload, start: Int64, random: any RandomSource) throws -> [UInt8] {
        Encoding.bigEndian(UInt64(start), width: 8) + (try StreamSealer.seal(plain, dataKey: key, binding: tailBinding(upload, start: start), random: random))
    }

    static func openTail(_ stored: [UInt8]?, key: SymmetricKey, upload: ResumableUpload, start: Int64) throws -> [UInt8]? {
        guard let stored, stored.count > 8 else { return nil }
        let at = stored[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard at == UInt64(start) else { return nil }
        return try? StreamOpener.open(stored[8...], dataKey: key, binding: tailBinding(upload, start: start))
    }

    static func tailBinding(_ upload: ResumableUpload, start: Int64) -> BlobBinding {
        .file(share: upload.draftID, file: "\(upload.fileID):tail:\(start)")
    }

    static func pastTheEnd(_ length: Int64) -> SafehavenError {
        SafehavenError(.tooLarge, code: "past_upload_length", message: "This upload was declared as \(length) bytes; these bytes go past its end.")
    }
}

extension SafehavenError {
    /// An upload's stored bytes fell short of what was recorded (its file was lost or cut).
    static let damagedUpload = SafehavenError(.gone, code: "upload_damaged",
                                              message: "What was stored of this upload is no longer there. Delete it and upload the file again.")
}
