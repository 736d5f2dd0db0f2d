import Foundation

/// A share being put together before it is sent: its id (the future share's) and its data key
/// exist first, so files can be uploaded into it over hours, sealed as they arrive, and resumed
/// after a dropped connection or a restart. Sending turns it into a share in one transaction;
/// abandoned, it expires and everything in it is deleted.
public struct UploadDraft: Sendable, Equatable {
    public var id: String
    public var ownerID: String
    /// The data key, wrapped by the key-encryption key like a share's.
    public var wrappedKey: String
    /// Bytes promised by the draft's uploads (their declared lengths), held against the share's size limit.
    public var reservedBytes: Int64
    /// Uploads started in it, held against the share's file limit.
    public var fileCount: Int
    public var createdAt: Date
    /// Pushed back by every upload that makes progress.
    public var expiresAt: Date

    public init(id: String, ownerID: String, wrappedKey: String, reservedBytes: Int64 = 0, fileCount: Int = 0, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.ownerID = ownerID
        self.wrappedKey = wrappedKey
        self.reservedBytes = reservedBytes
        self.fileCount = fileCount
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One file uploaded resumably (the tus protocol) into a draft.
public struct ResumableUpload: Sendable, Equatable {
    public var id: String
    public var draftID: String
    public var ownerID: String
    /// The file's id in the share it will join (bound into its blob's key).
    public var fileID: String
    public var blobID: String
    public var name: String
    public var contentType: String
    /// Declared when the upload was created.
    public var length: Int64
    /// Bytes sealed and synced to disk: always whole chunks, or the whole length.
    public var offset: Int64
    public var createdAt: Date
    public var expiresAt: Date
    /// Set once every byte has arrived and the file has been read back and checked.
    public var completedAt: Date?
    public var sha256: String?
    /// Identifiers of people counted in the file when it was read back.
    public var identifiers: Int
    /// The malware scanner could not give a verdict and the policy let the file through.
    public var notScanned: Bool

    public init(id: String, draftID: String, ownerID: String, fileID: String, blobID: String, name: String, contentType: String,
                length: Int64, offset: Int64 = 0, createdAt: Date, expiresAt: Date, completedAt: Date? = nil, sha256: String? = nil,
                identifiers: Int = 0, notScanned: Bool = false) {
        self.id = id
        self.draftID = draftID
        self.ownerID = ownerID
        self.fileID = fileID
        self.blobID = blobID
        self.name = name
        self.contentType = contentType
        self.length = length
        self.offset = offset
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.completedAt = completedAt
        self.sha256 = sha256
        self.identifiers = identifiers
        self.notScanned = notScanned
    }

    public var isComplete: Bool { completedAt != nil }

    /// The file as it joins its share.
    public func file() -> ShareFile {
        ShareFile(id: fileID, shareID: draftID, name: name, contentType: contentType, size: length, sha256: sha256 ?? "", blobID: blobID)
    }
}
