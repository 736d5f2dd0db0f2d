@preconcurrency import Crypto
import Foundation
import SafehavenArchive
import SafehavenCrypto

/// Reads a finished upload back from disk before it counts as complete: every chunk is opened
/// (proving what is stored is whole and untouched), the plaintext is hashed, streamed to the
/// malware scanner and read for identifiers of people, exactly as a file in one request would be.
/// The bytes of a resumable upload arrive over many requests and perhaps several processes, so
/// this single pass is the one place all of them are seen in order.
struct UploadCheck {
    static let readSize = 1024 * 1024
    let upload: ResumableUpload
    let file: any UploadFile
    let deps: Dependencies

    func run() async throws -> ResumableUpload {
        guard let draft = try await deps.store.read({ try await $0.draft(id: upload.draftID) }),
              let owner = try await deps.store.read({ try await $0.user(id: upload.ownerID) }) else { throw SafehavenError.notFound }
        var opener = StreamOpener(dataKey: try deps.kek.unwrap(draft.wrappedKey), binding: .file(share: upload.draftID, file: upload.fileID))
        var digest = SHA256Digester()
        let readsText = IdentifierTally.reads(name: upload.name, contentType: upload.contentType)
        var office = !readsText && OfficeTextStream.reads(name: upload.name) ? OfficeTextStream() : nil
        var tally = IdentifierTally()
        var notScanned = false
        var scan: (any MalwareScan)?
        if let scanner = deps.scanner {
            do { scan = try await scanner.begin() } catch { try scannerDown(&notScanned) }
        }
        defer { scan?.cancel() }

        func take(_ plain: [UInt8]) async throws {
            guard !plain.isEmpty else { return }
            digest.update(plain)
            if readsText { tally.update(plain) }
            office?.update(plain) { tally.update($0) }
            if let current = scan {
                do { try await current.feed(plain) } catch {
                    current.cancel()
                    scan = nil
                    try scannerDown(&notScanned)
                }
            }
        }

        var position: Int64 = 0
        do {
            while true {
                let sealed = try file.read(at: position, count: Self.readSize)
                if sealed.isEmpty { break }
                position += Int64(sealed.count)
                try await take(try opener.update(sealed))
            }
            try await take(try opener.finish())
        } catch is CryptoFailure {
            throw SafehavenError.damagedUpload
        }
        var verdict = MalwareVerdict.clean
        if let current = scan {
            do { verdict = try await current.finish() } catch { try scannerDown(&notScanned) }
            scan = nil
        }
        if case .infected(let signature) = verdict {
            try await refuse(owner: owner, signature: signature)
            throw SafehavenError.malwareFound(upload.name, signature: signature)
        }
        var done = upload
        done.offset = upload.length
        done.sha256 = digest.finalizeHex()
        done.identifiers = tally.finish()
        done.notScanned = notScanned
        done.completedAt = deps.clock.now()
        // Recorded first, then moved among the blobs (still under this request's lock): a request
        // that opens the upload's name after the move finds the record complete. Sending moves it
        // again if a crash came in between.
        let finished = done
        guard try await deps.store.write({ try await $0.complete(finished) }) else {
            // Deleted while it was being read back: its bytes go too.
            try? deps.blobs.deleteUpload(id: upload.blobID)
            throw SafehavenError.notFound
        }
        try deps.blobs.promoteUpload(id: upload.blobID)
        try? file.removeTail()
        return finished
    }

    private func scannerDown(_ notScanned: inout Bool) throws {
        guard deps.scannerDown == .allowAndFlag else { throw SafehavenError.scannerUnavailable }
        notScanned = true
    }

    /// Malware: the upload is deleted and the refusal audited against its draft.
    private func refuse(owner: User, signature: String) async throws {
        let now = deps.clock.now()
        let (upload, target) = (self.upload, self.upload.draftID)
        _ = try await deps.store.write { tx in
            try await tx.appendAudit(.malwareRefused(by: owner, target: target, signature: signature), at: now)
            return try await tx.deleteUpload(id: upload.id)
        }
        try? deps.blobs.deleteUpload(id: upload.blobID)
    }
}
