import Foundation
import SafehavenCrypto
import Synchronization

/// A file on its way to a reader. Created only after the blob's header and first chunk have been
/// opened, so a damaged or swapped blob is refused before any status line is sent. The download
/// is recorded (tracking and audit) only once the whole file has been opened and matched its
/// SHA-256, just before the last bytes are handed over; a failure part-way is recorded as a
/// failure, never as a download.
public final class FileDownload: Sendable {
    public let file: ShareFile
    let stream: PlaintextStream
    let onComplete: @Sendable () async throws -> Void
    let onFailure: @Sendable () async -> Void
    private let lookahead: Mutex<[UInt8]?>

    init(file: ShareFile, stream: PlaintextStream, onComplete: @escaping @Sendable () async throws -> Void,
         onFailure: @escaping @Sendable () async -> Void) async throws {
        self.file = file
        self.stream = stream
        self.onComplete = onComplete
        self.onFailure = onFailure
        self.lookahead = Mutex(nil)
        do {
            let first = try stream.next()
            lookahead.withLock { $0 = first }
        } catch {
            stream.close()
            await onFailure()
            throw FileDownload.damaged
        }
    }

    static let damaged = SafehavenError(
        .damaged, code: "content_damaged",
        message: "The stored copy of this file failed its integrity check, so it was not sent. The failure has been recorded; ask the sender to share the file again.")

    /// The next bytes for the reader; nil when the file is complete.
    public func next() async throws -> [UInt8]? {
        guard let current = lookahead.withLock({ value -> [UInt8]? in defer { value = nil }; return value }) else { return nil }
        let following: [UInt8]?
        do {
            following = try stream.next()
        } catch {
            stream.close()
            await onFailure()
            throw FileDownload.damaged
        }
        if let following {
            lookahead.withLock { $0 = following }
        } else {
            // Every byte opened and the digest matched: record it before the reader has it all.
            try await onComplete()
        }
        return current
    }

    /// Stops early (the reader went away): nothing is recorded.
    public func close() { stream.close() }
}
