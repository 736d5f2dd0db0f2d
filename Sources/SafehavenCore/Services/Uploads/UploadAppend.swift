@preconcurrency import Crypto
import Foundation
import SafehavenArchive
import SafehavenCrypto
import Synchronization

/// The bytes of one request appended to a resumable upload. Whole chunks are sealed and written as
/// they fill; every `checkpointBytes` the file is synced and the new offset recorded, so a
/// dropped connection or a killed server loses at most the bytes since. Only whole chunks count:
/// a tail shorter than a chunk at the end of a request that does not finish the file is dropped
/// (the offset the client is told says so, and it sends those bytes again). When the last byte
/// arrives the file is read back from disk, checked (SHA-256, malware, identifiers of people) and
/// only then recorded as complete.
public final class UploadAppend: Sendable {
    public static let checkpointBytes: Int64 = 16 * 1024 * 1024
    let deps: Dependencies
    let upload: ResumableUpload
    /// Nil when the upload was already complete (a repeated final request).
    let file: (any UploadFile)?
    let sealer: ChunkSealer?

    struct State {
        var pending: [UInt8] = []
        /// Plaintext bytes sealed and written so far (whole chunks, or the whole length).
        var sealed: Int64
        /// Plaintext bytes recorded as durable.
        var recorded: Int64
        var ended = false
    }
    private let state: Mutex<State>

    init(upload: ResumableUpload, file: (any UploadFile)?, dataKey: SymmetricKey?, deps: Dependencies) throws {
        self.deps = deps
        self.upload = upload
        self.file = file
        state = Mutex(State(sealed: upload.offset, recorded: upload.offset))
        guard let file, let key = dataKey, !upload.isComplete else {
            sealer = nil
            return
        }
        let binding = BlobBinding.file(share: upload.draftID, file: upload.fileID)
        let chunkSize = Int64(StreamFormat.chunkSize)
        if upload.offset == 0 {
            // Nothing durable yet: start the blob again with a fresh header.
            try file.truncate(to: 0)
            let sealer = ChunkSealer(dataKey: key, binding: binding, random: deps.random)
            try file.append(sealer.header)
            self.sealer = sealer
        } else {
            // Keep exactly the chunks recorded; anything after them was never acknowledged.
            let keep = ChunkSealer.blobOffset(chunk: upload.offset / chunkSize)
            guard upload.offset % chunkSize == 0, try file.size() >= keep else { throw SafehavenError.damagedUpload }
            try file.truncate(to: keep)
            sealer = try ChunkSealer(dataKey: key, binding: binding, header: try file.read(at: 0, count: StreamFormat.headerSize))
        }
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
            // Seal every whole chunk; the final chunk (shorter, or exactly the end) when the last byte is in.
            while true {
                let available = state.pending.count - start
                let whole = available >= chunkSize
                let isEnd = state.sealed + Int64(available) == length && available > 0
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
        if sealed < length && sealed - recorded >= Self.checkpointBytes { try await checkpoint(sealed) }
    }

    /// Syncs the file and records `sealed` bytes as durable.
    private func checkpoint(_ sealed: Int64) async throws {
        guard let file else { return }
        try file.sync()
        let recorded = state.withLock { $0.recorded }
        guard sealed > recorded else { return }
        let expires = deps.clock.now().addingTimeInterval(TimeInterval(deps.limits.uploadHours) * 3600)
        let id = upload.id
        guard try await deps.store.write({ try await $0.advance(uploadID: id, from: recorded, to: sealed, expiresAt: expires) }) else {
            throw UploadService.offsetMismatch(recorded)
        }
        state.withLock { $0.recorded = sealed }
    }

    /// The request body ended. Records what arrived; when it was the last byte, checks the file and
    /// completes the upload. Returns the upload as it now stands.
    public func end() async throws -> ResumableUpload {
        defer { file?.close() }
        guard let file else { return upload }
        state.withLock { $0.ended = true }
        // An empty file is one empty final chunk.
        if upload.length == 0, let sealer, state.withLock({ $0.sealed }) == 0 {
            try file.append(try sealer.seal(UnsafeRawBufferPointer(start: nil, count: 0), index: 0, length: 0))
        }
        let sealed = state.withLock { $0.sealed }
        guard sealed == upload.length else {
            try await checkpoint(sealed)
            var now = upload
            now.offset = state.withLock { $0.recorded }
            return now
        }
        try file.sync()
        return try await UploadCheck(upload: upload, file: file, deps: deps).run()
    }

    /// The request broke off: keep what is whole, then give up the file.
    public func interrupted() async {
        defer { file?.close() }
        let (sealed, length) = (state.withLock { $0.sealed }, upload.length)
        guard file != nil, sealed < length else { return }
        try? await checkpoint(sealed)
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
