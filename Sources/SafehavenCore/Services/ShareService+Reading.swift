@preconcurrency import Crypto
import Foundation
import SafehavenCrypto

/// Reading: lists, one share, downloads.
extension ShareService {
    /// The most a page of a list may hold, and what a page holds when the caller does not say.
    public static let maxPageSize = 200
    public static let defaultPageSize = 50

    /// One page of the user's inbox or sent items, newest first, with the total that match.
    /// Each page costs a constant number of queries, however many shares there are.
    public func list(_ box: ShareListQuery.Box, for user: User, limit: Int? = nil, cursor: String? = nil,
                     status: String? = nil, unreadOnly: Bool = false) async throws -> ShareListPage {
        try Self.requireSecondFactorIfInvited(user)
        let size = limit ?? Self.defaultPageSize
        guard (1...Self.maxPageSize).contains(size) else {
            throw SafehavenError.invalid("limit", "A page can hold 1 to \(Self.maxPageSize) shares.")
        }
        var filter: ShareListQuery.StatusFilter?
        if let status, !status.isEmpty {
            guard let parsed = ShareListQuery.StatusFilter(rawValue: status) else {
                throw SafehavenError.invalid("status", "Filter by status active, expired or revoked.")
            }
            filter = parsed
        }
        guard !unreadOnly || box == .inbox else {
            throw SafehavenError.invalid("unread", "Only the inbox can be filtered to unread shares.")
        }
        let after = try cursor.flatMap { $0.isEmpty ? nil : try ShareCursor.parse($0) }
        let query = ShareListQuery(box: box, userID: user.id, status: filter, unreadOnly: unreadOnly, limit: size, after: after,
                                   now: deps.clock.now())
        return try await deps.store.read { try await $0.shares(query) }
    }

    /// Everything the viewer may see of one share. Opening by an addressee is tracked (first open)
    /// and audited (every open). An addressee gets 410 once the share is withdrawn or gone.
    public struct Detail: Sendable {
        public let share: Share
        public let status: Share.Status
        /// Who sent it, as others see them (never the account record itself).
        public let sender: PersonSummary?
        public let recipients: [Recipient]
        public let files: [ShareFile]
        /// Nil once the content has been destroyed.
        public let message: String?
        public let viewerIsSender: Bool
        /// The viewer's own addressee row; nil for the sender.
        public let viewer: Recipient?
    }

    public func open(_ shareID: String, by user: User) async throws -> Detail {
        let access = try await access(shareID, by: user)
        let share = access.share
        let now = deps.clock.now()
        if let mine = access.recipient {
            try requireActive(share)
            let ids = deps.ids
            try await deps.store.write { tx in
                let events = try await tx.tracking(shareID: share.id)
                if !events.contains(where: { $0.recipientID == mine.id && $0.type == .opened }) {
                    try await tx.insert(TrackingEvent(id: ids.next(), shareID: share.id, recipientID: mine.id, type: .opened, at: now))
                }
                try await tx.appendAudit(AuditEntry(.shareOpened, actor: user.id, organisation: user.organisationID, target: share.id), at: now)
            }
        }
        let (sender, org, recipients, files) = try await deps.store.read { db in
            let sender = try await db.user(id: share.senderID)
            let org = try await db.organisation(id: share.senderOrganisationID)
            return (sender, org, try await db.recipients(shareID: share.id), try await db.files(shareID: share.id))
        }
        let status = share.status(at: now)
        var message: String?
        if status != .destroyed, status != .expired, let wrapped = share.wrappedKey, let sealed = share.messageSealed,
           let bytes = Data(base64Encoded: sealed) {
            let key = try deps.kek.unwrap(wrapped)
            message = try openMessage(bytes, key: key, share: share.id)
        }
        return Detail(share: share, status: status, sender: sender.map { PersonSummary($0, organisation: org) }, recipients: recipients,
                      files: files, message: message, viewerIsSender: access.isSender,
                      viewer: access.recipient.flatMap { mine in recipients.first { $0.id == mine.id } })
    }

    /// Starts a download: checks access, view-only and status, and opens the blob's header and
    /// first chunk before anything is sent. The download is recorded when the whole file has been
    /// opened and matched its digest; an integrity failure is recorded as a failure instead.
    public func download(_ shareID: String, fileID: String, by user: User) async throws -> FileDownload {
        let access = try await access(shareID, by: user)
        let share = access.share
        guard let file = try await deps.store.read({ try await $0.files(shareID: share.id) }).first(where: { $0.id == fileID }) else {
            throw SafehavenError.notFound
        }
        try requireActive(share)
        if access.recipient != nil && share.viewOnly {
            throw SafehavenError.forbidden("view_only", "The sender made this share view-only: its files cannot be downloaded.")
        }
        guard let wrapped = share.wrappedKey else { throw SafehavenError.gone("share_destroyed", "The content of this share has been destroyed.") }
        let key = try deps.kek.unwrap(wrapped)
        let reader = try deps.blobs.openReader(id: file.blobID)
        let deps = self.deps
        let recipientID = access.recipient?.id
        let by = access.isSender ? "sender" : "recipient"
        @Sendable func record(_ type: TrackingType, _ action: AuditAction) async throws {
            let now = deps.clock.now()
            let ids = deps.ids
            try await deps.store.write { tx in
                if let recipientID {
                    try await tx.insert(TrackingEvent(id: ids.next(), shareID: share.id, recipientID: recipientID, type: type, at: now))
                }
                try await tx.appendAudit(AuditEntry(action, actor: user.id, organisation: user.organisationID, target: share.id,
                                                    details: ["file": file.id, "by": by]), at: now)
            }
        }
        let stream = PlaintextStream(reader: reader, dataKey: key, binding: .file(share: share.id, file: file.id), sha256: file.sha256)
        return try await FileDownload(file: file, stream: stream,
                                      onComplete: { try await record(.downloaded, .shareDownloaded) },
                                      onFailure: { try? await record(.downloadFailed, .shareDownloadFailed) })
    }

    /// The plaintext of every file of a share, for the sender's own use (exporting an archive).
    /// Not tracked as a recipient download; the caller audits what it does with it.
    public func contentForSender(_ shareID: String, by user: User) async throws -> (Share, String, [(ShareFile, PlaintextStream)]) {
        let access = try await access(shareID, by: user)
        try access.requireSender("not_the_sender", "Only the sender can export a share.")
        let share = access.share
        try requireActive(share)
        guard let wrapped = share.wrappedKey, let sealed = share.messageSealed, let bytes = Data(base64Encoded: sealed) else {
            throw SafehavenError.gone("share_destroyed", "The content of this share has been destroyed.")
        }
        let key = try deps.kek.unwrap(wrapped)
        let message = try openMessage(bytes, key: key, share: share.id)
        let files = try await deps.store.read { try await $0.files(shareID: share.id) }
        var streams: [(ShareFile, PlaintextStream)] = []
        for file in files {
            streams.append((file, PlaintextStream(reader: try deps.blobs.openReader(id: file.blobID), dataKey: key,
                                                  binding: .file(share: share.id, file: file.id), sha256: file.sha256)))
        }
        return (share, message, streams)
    }

    /// A share's message, opened only as the message of that share.
    func openMessage(_ sealed: Data, key: SymmetricKey, share: String) throws -> String {
        do {
            return String(decoding: try StreamOpener.open(sealed, dataKey: key, binding: .message(share: share)), as: UTF8.self)
        } catch is CryptoFailure {
            throw SafehavenError(.damaged, code: "content_damaged",
                                 message: "The stored copy of this share's message failed its integrity check, so it cannot be shown.")
        }
    }
}
