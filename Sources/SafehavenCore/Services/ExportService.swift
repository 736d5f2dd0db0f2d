import Foundation
import SafehavenArchive
import SafehavenCrypto

/// Exports a share as a WinZip AES-256 archive for a recipient without an account: the message
/// and files stream from the sealed blobs through the archive writer into a new blob, and the
/// generated password is returned once and never stored.
/// Only the person who made an export can download it, and only while its share is live.
public struct ExportService: Sendable {
    let deps: Dependencies
    public init(_ deps: Dependencies) { self.deps = deps }

    public struct Result: Sendable {
        public let export: ShareExport
        /// Shown once; never stored.
        public let password: String
    }

    /// - Parameter names: what to do if a file name identifies someone (names are readable
    ///   without the password): refuse (the default), wrap everything in an inner archive with a
    ///   neutral name, or allow.
    public func export(_ shareID: String, by user: User, names policy: ArchiveNames.Identifying = .refuse) async throws -> Result {
        let (share, message, streams) = try await ShareService(deps).contentForSender(shareID, by: user)
        let identifying = ArchiveNames.identifying(streams.map(\.0.name))
        if !identifying.isEmpty && policy == .refuse {
            for (_, stream) in streams { stream.close() }
            throw ArchiveNames.refusal(identifying)
        }
        let password = PasswordGenerator.generate(random: deps.random, groups: 6, groupLength: 5)
        let exportID = deps.ids.next()
        let blobID = deps.ids.next()
        deps.inProgress.add(blobID)
        defer { deps.inProgress.remove(blobID) }
        let blob = try deps.blobs.makeWriter(id: blobID)
        var size: Int64 = 0
        let now = deps.clock.now()
        let random = deps.random
        /// The message and every file, into `writer`.
        func addAll(to writer: AESZipWriter) throws {
            let messageEntry = try writer.beginEntry(name: "message.txt", modified: share.createdAt)
            let header = "Subject: \(share.subject)\nMarking: \(share.marking.rawValue)\nPurpose: \(share.purpose)\n"
                + (share.handling.isEmpty ? "" : "Handling: \(share.handling)\n") + "\n"
            try messageEntry.write(Array((header + message).utf8))
            try messageEntry.finish()
            var used = Set(["message.txt"])
            for (file, stream) in streams {
                let entry = try writer.beginEntry(name: ArchiveNames.unique(file.name, used: &used), modified: now)
                while let chunk = try stream.next() { try entry.write(chunk) }
                try entry.finish()
            }
        }
        do {
            let writer = AESZipWriter(password: password, random: random) { bytes in
                size += Int64(bytes.count)
                try blob.write(bytes)
            }
            if policy == .wrap {
                // Only the inner archive's neutral name shows without the password.
                let outer = try writer.beginEntry(name: ArchiveNames.innerName, modified: now, compress: false)
                let inner = AESZipWriter(password: password, random: random) { try outer.write($0) }
                try addAll(to: inner)
                try inner.finish()
                try outer.finish()
            } else {
                try addAll(to: writer)
            }
            try writer.finish()
            try blob.commit()
        } catch {
            blob.abort()
            for (_, stream) in streams { stream.close() }
            throw error
        }
        let record = ShareExport(id: exportID, shareID: share.id, blobID: blobID, createdBy: user.id, createdAt: deps.clock.now(), size: size)
        let ids = deps.ids
        do {
            try await deps.store.write { tx in
                // Revoked, expired or destroyed while the archive was being written: no live export.
                guard let current = try await tx.shareForUpdate(id: share.id), current.status(at: now) == .active else {
                    throw SafehavenError.gone("share_withdrawn", "The share was withdrawn or expired while the archive was being made.")
                }
                try await tx.insert(record)
                // The archive goes to the people the share was sent to, as the register recorded them then.
                for sent in try await tx.disclosures(shareID: share.id) where sent.method == .safehaven {
                    let again = sent.repeated(method: .encryptedArchive, id: ids.next(), at: now, by: user)
                    try await tx.insert(again)
                    // The people it is about have it in their history too.
                    for link in try await tx.links(targetID: sent.id, kind: .disclosureSubject) {
                        try await tx.insert(RecordLink(recordID: link.recordID, kind: .disclosureSubject, targetID: again.id, at: now))
                    }
                }
                try await tx.appendAudit(AuditEntry(.shareExported, actor: user.id, organisation: user.organisationID, target: share.id,
                                                    details: ["export": exportID, "method": "encrypted-archive", "bytes": String(record.size)]), at: now)
            }
        } catch {
            try? deps.blobs.delete(id: blobID)
            throw error
        }
        return Result(export: record, password: password)
    }

    /// An archive ready to stream to the person who made it.
    public struct Download: Sendable {
        public let export: ShareExport
        public let reader: any BlobReader
        public var fileName: String { "safehaven-\(export.shareID).zip" }
    }

    /// Opens an export for download: only its maker sees it exists, and never after its share
    /// was withdrawn or expired.
    public func download(_ exportID: String, by user: User) async throws -> Download {
        guard let export = try await deps.store.read({ try await $0.export(id: exportID) }), export.createdBy == user.id else {
            throw SafehavenError.notFound
        }
        let share = try await deps.store.read { try await $0.share(id: export.shareID) }
        guard export.destroyedAt == nil, let share, share.status(at: deps.clock.now()) == .active else {
            throw SafehavenError.gone("export_destroyed", "The share was withdrawn or expired, and this archive with it.")
        }
        return Download(export: export, reader: try deps.blobs.openReader(id: export.blobID))
    }

}
