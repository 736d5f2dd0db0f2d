import Foundation
import SafehavenCrypto

/// Viewing a file inside the page: how a view-only share's addressee reads it. Only text and the
/// common picture formats (recognised by their bytes, never by the name or declared type) are
/// shown; anything else, or anything larger than the page can hold, is described instead.
extension ShareService {
    public enum Viewable: Sendable, Equatable {
        case text(String)
        /// Bytes and the type they were recognised as.
        case image([UInt8], String)
        /// Why it cannot be shown here.
        case notViewable(String)
    }

    /// The most a page will show of one file.
    public static let maxViewBytes = 4 * 1024 * 1024

    /// Opens a file to show in the page, recording a `viewed` event for an addressee. Works for
    /// view-only shares (that is its purpose) and for the sender.
    public func view(_ shareID: String, fileID: String, by user: User) async throws -> (ShareFile, Viewable) {
        let access = try await access(shareID, by: user)
        let share = access.share
        guard let file = try await deps.store.read({ try await $0.files(shareID: share.id) }).first(where: { $0.id == fileID }) else {
            throw SafehavenError.notFound
        }
        try requireActive(share)
        guard let wrapped = share.wrappedKey else { throw SafehavenError.gone("share_destroyed", "The content of this share has been destroyed.") }
        guard file.size <= Self.maxViewBytes else {
            return (file, .notViewable("This file is too large to show in the page (the limit is \(Self.maxViewBytes / 1024 / 1024) MB)."))
        }
        let key = try deps.kek.unwrap(wrapped)
        let stream = PlaintextStream(reader: try deps.blobs.openReader(id: file.blobID), dataKey: key,
                                     binding: .file(share: share.id, file: file.id), sha256: file.sha256)
        defer { stream.close() }
        var bytes: [UInt8] = []
        do {
            while let chunk = try stream.next() { bytes += chunk }
        } catch {
            throw FileDownload.damaged
        }
        let now = deps.clock.now()
        let ids = deps.ids
        let recipientID = access.recipient?.id
        try await deps.store.write { tx in
            if let recipientID {
                try await tx.insert(TrackingEvent(id: ids.next(), shareID: share.id, recipientID: recipientID, type: .viewed, at: now))
            }
            try await tx.appendAudit(AuditEntry(.shareViewed, actor: user.id, organisation: user.organisationID, target: share.id,
                                                details: ["file": file.id, "by": access.isSender ? "sender" : "recipient"]), at: now)
        }
        return (file, Self.classify(bytes, name: file.name))
    }

    /// Names that say "plain text"; the bytes must agree (valid UTF-8, no binary control characters).
    static let textExtensions: Set<String> = ["txt", "text", "csv", "tsv", "md", "log", "json", "xml", "eml", "rtf", "svg", "html", "htm"]

    /// A picture when the bytes start like PNG, JPEG, GIF or WebP, whatever the name; text when the
    /// name says so and the bytes agree; otherwise not viewable. SVG and HTML are shown as their
    /// source text, never rendered: they can hold script.
    public static func classify(_ bytes: [UInt8], name: String) -> Viewable {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .image(bytes, "image/png") }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .image(bytes, "image/jpeg") }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return .image(bytes, "image/gif") }
        if bytes.count > 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .image(bytes, "image/webp") }
        let ext = name.split(separator: ".").count > 1 ? name.split(separator: ".").last.map { $0.lowercased() } ?? "" : ""
        if textExtensions.contains(ext), let text = String(validating: bytes, as: UTF8.self),
           !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
            return .text(text)
        }
        return .notViewable("Files of this type cannot be shown in the page. Only text and pictures (PNG, JPEG, GIF, WebP) can.")
    }
}
