import Foundation

/// Drafts and their resumable uploads.
public protocol UploadReading: Sendable {
    func draft(id: String) async throws -> UploadDraft?
    func uploads(draftID: String) async throws -> [ResumableUpload]
    func upload(id: String) async throws -> ResumableUpload?
    /// Drafts whose expiry has passed.
    func draftsExpired(at: Date) async throws -> [UploadDraft]
    /// Blobs of uploads not yet part of a share (the orphan sweep keeps them).
    func uploadBlobIDs() async throws -> Set<String>
}

public protocol UploadWriting: UploadReading {
    /// Adds a draft unless its owner already has `maxOpen`; false if they have.
    func insert(_ draft: UploadDraft, maxOpen: Int) async throws -> Bool
    /// Adds one upload of `bytes` to a draft unless that would pass either limit; false if it would.
    func reserve(draftID: String, bytes: Int64, maxBytes: Int64, maxFiles: Int, expiresAt: Date) async throws -> Bool
    func insert(_ upload: ResumableUpload) async throws
    /// Moves an upload on from `from` to `to` bytes (and its draft's expiry); false if another writer moved it first.
    func advance(uploadID: String, from: Int64, to: Int64, expiresAt: Date) async throws -> Bool
    /// Records that an upload arrived whole and was checked; false if it was deleted or completed meanwhile.
    func complete(_ upload: ResumableUpload) async throws -> Bool
    /// Removes an upload and gives back its share of the draft's limits.
    func deleteUpload(id: String) async throws -> ResumableUpload?
    /// Removes a draft and its uploads; false if it was already gone.
    func deleteDraft(id: String) async throws -> Bool
}
