import Foundation
import SafehavenCrypto

/// Resumable uploads (the tus protocol's model): a person opens a draft, uploads files into it
/// in as many requests as their network allows, and sends it as a share. Everyone sees only their
/// own drafts and uploads; anything else is "not found".
public struct UploadService: Sendable {
    let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    var lifetime: TimeInterval { TimeInterval(deps.limits.uploadHours) * 3600 }

    // MARK: drafts

    /// Opens a draft: the future share's id and a fresh data key, wrapped.
    public func createDraft(by user: User) async throws -> UploadDraft {
        let now = deps.clock.now()
        let key = KeyEncryptionKey.newDataKey(random: deps.random)
        let draft = UploadDraft(id: deps.ids.next(), ownerID: user.id, wrappedKey: try deps.kek.wrap(key), createdAt: now,
                                expiresAt: now.addingTimeInterval(lifetime))
        let most = deps.limits.maxOpenDrafts
        guard try await deps.store.write({ try await $0.insert(draft, maxOpen: most) }) else {
            throw SafehavenError.conflict("too_many_drafts", "You already have \(most) shares being put together. Send or discard one of them first.")
        }
        return draft
    }

    /// A draft of this person's, with its uploads; not found for anyone else, or once expired.
    public func draft(_ id: String, by user: User) async throws -> (UploadDraft, [ResumableUpload]) {
        let now = deps.clock.now()
        let found = try await deps.store.read { store -> (UploadDraft, [ResumableUpload])? in
            guard let draft = try await store.draft(id: id) else { return nil }
            return (draft, try await store.uploads(draftID: id))
        }
        guard let found, found.0.ownerID == user.id, found.0.expiresAt > now else { throw SafehavenError.notFound }
        return found
    }

    /// Discards a draft and everything uploaded into it.
    public func discardDraft(_ id: String, by user: User) async throws {
        let (_, uploads) = try await draft(id, by: user)
        guard try await deps.store.write({ try await $0.deleteDraft(id: id) }) else { throw SafehavenError.notFound }
        removeFiles(of: uploads)
    }

    // MARK: uploads

    /// Starts one file in a draft. Its declared length is held against the share's limits at once,
    /// so many uploads started together cannot pass them.
    public func create(in draftID: String, name rawName: String, contentType: String, length: Int64, by user: User) async throws -> ResumableUpload {
        let limits = deps.limits
        guard length >= 0 else { throw SafehavenError.invalid("upload_length", "Upload-Length must be a whole number of bytes.") }
        guard length <= limits.maxShareBytes else {
            throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(limits.maxShareBytes) bytes in all.")
        }
        let (draft, _) = try await self.draft(draftID, by: user)
        let now = deps.clock.now()
        let name = FileName.sanitise(rawName)
        let upload = ResumableUpload(id: deps.ids.next(), draftID: draft.id, ownerID: user.id, fileID: deps.ids.next(), blobID: deps.ids.next(),
                                     name: name, contentType: ShareUpload.safeContentType(contentType), length: length,
                                     createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        let expires = upload.expiresAt
        let reserved = try await deps.store.write { tx -> Bool in
            guard try await tx.reserve(draftID: draft.id, bytes: length, maxBytes: limits.maxShareBytes, maxFiles: limits.maxFilesPerShare,
                                       expiresAt: expires) else { return false }
            try await tx.insert(upload)
            return true
        }
        guard reserved else {
            throw SafehavenError(.tooLarge, code: "too_large",
                                 message: "A share can carry at most \(limits.maxFilesPerShare) files and \(limits.maxShareBytes) bytes in all; this file would pass that.")
        }
        return upload
    }

    /// An upload of this person's, with how much of it is safely stored.
    public func status(_ id: String, by user: User) async throws -> ResumableUpload {
        let now = deps.clock.now()
        guard let upload = try await deps.store.read({ try await $0.upload(id: id) }), upload.ownerID == user.id,
              upload.isComplete || upload.expiresAt > now else { throw SafehavenError.notFound }
        return upload
    }

    /// Stops an upload and deletes what arrived of it.
    public func delete(_ id: String, by user: User) async throws {
        let upload = try await status(id, by: user)
        guard let removed = try await deps.store.write({ try await $0.deleteUpload(id: upload.id) }) else { throw SafehavenError.notFound }
        removeFiles(of: [removed])
    }

    /// Appends the bytes of one request, starting at `offset` (which must be where the upload
    /// stands). The caller writes the body through the returned writer, then ends it.
    public func append(to id: String, at offset: Int64, by user: User) async throws -> UploadAppend {
        let upload = try await status(id, by: user)
        guard !upload.isComplete else {
            guard offset == upload.length else { throw Self.offsetMismatch(upload.offset) }
            return try UploadAppend(upload: upload, file: nil, dataKey: nil, deps: deps)
        }
        guard offset == upload.offset else { throw Self.offsetMismatch(upload.offset) }
        let file: any UploadFile
        do { file = try deps.blobs.openUpload(id: upload.blobID) } catch is UploadFileBusy {
            throw SafehavenError.conflict("upload_busy", "This file is already being uploaded by another request; wait for it to finish or stop it first.")
        }
        do {
            // What another request (or a process that died) left since the row was read.
            let found = try await deps.store.read { store -> (ResumableUpload, UploadDraft)? in
                guard let upload = try await store.upload(id: id), let draft = try await store.draft(id: upload.draftID) else { return nil }
                return (upload, draft)
            }
            // A file this request made for an upload that is finished or gone is a stray: another
            // request completed it (and moved its file among the blobs) a moment ago.
            guard let (fresh, draft) = found, !fresh.isComplete else {
                if file.created { try? deps.blobs.deleteUpload(id: upload.blobID) }
                throw found == nil ? SafehavenError.notFound : Self.offsetMismatch(found!.0.offset)
            }
            guard fresh.offset == offset else { throw Self.offsetMismatch(fresh.offset) }
            return try UploadAppend(upload: fresh, file: file, dataKey: try deps.kek.unwrap(draft.wrappedKey), deps: deps)
        } catch {
            file.close()
            throw error
        }
    }

    static func offsetMismatch(_ offset: Int64) -> SafehavenError {
        SafehavenError.conflict("offset_mismatch", "The upload stands at byte \(offset); carry on from there.")
    }

    // MARK: expiry

    /// Background job: deletes drafts (and their uploads) with no progress for `uploadHours`.
    @discardableResult
    public func expireDue() async throws -> Int {
        let now = deps.clock.now()
        let due = try await deps.store.read { try await $0.draftsExpired(at: now) }
        var removed = 0
        for draft in due {
            let uploads = try await deps.store.write { tx -> [ResumableUpload]? in
                guard let fresh = try await tx.draft(id: draft.id), fresh.expiresAt <= now else { return nil }
                let uploads = try await tx.uploads(draftID: draft.id)
                _ = try await tx.deleteDraft(id: draft.id)
                return uploads
            }
            guard let uploads else { continue }
            removeFiles(of: uploads)
            removed += 1
        }
        return removed
    }

    /// Deletes an upload's bytes, wherever they are (still arriving, or whole and checked).
    func removeFiles(of uploads: [ResumableUpload]) {
        for upload in uploads {
            try? deps.blobs.deleteUpload(id: upload.blobID)
            try? deps.blobs.delete(id: upload.blobID)
        }
    }
}
