import Crypto
import Foundation
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage
#if canImport(Glibc)
import Glibc
#endif

/// `safehaven backup` and `safehaven restore`: a consistent copy of a running installation (the
/// database snapshot, then every sealed blob it may refer to) and its return on another machine.
/// Keys are copied only when asked, and only to a directory of their own, never beside the data:
/// a backup without keys is unreadable noise, which is the point.
public enum Backup {
    public struct Manifest: Codable, Sendable, Equatable {
        public var format = "safehaven-backup"
        public var version = 1
        public var createdAt: String
        public var database: String
        public var schemaVersion: Int
        public var kekID: String
        public var auditPublicKey: String
        public var auditEvents: Int64
        public var blobs: [Blob]

        public struct Blob: Codable, Sendable, Equatable {
            public var id: String
            public var bytes: Int64
            public var sha256: String
        }
    }

    static let databaseFile = "database.snapshot"

    /// Makes a backup in `out` (new or empty). With `keysOut`, the key files go there too.
    @discardableResult
    public static func make(config: AppConfig, out: URL, keysOut: URL?, clock: any Clock = SystemClock()) async throws -> Manifest {
        if let keysOut, keysOut.standardizedFileURL.path.hasPrefix(out.standardizedFileURL.path + "/") || keysOut.standardizedFileURL == out.standardizedFileURL {
            throw ConfigError("keep the keys apart from the backup: --keys-out must not be inside --out")
        }
        try makeEmptyDirectory(out)
        var logger = Logger(label: "safehaven-backup")
        logger.logLevel = .warning
        let runtime = try await Runtime.open(config: config, clock: clock, logger: logger)
        do {
            // First the database, in one consistent snapshot; then the blobs, which never change
            // once written. A blob destroyed in between is missing from the copy, and `restore`
            // destroys that share's content too, as happened on the live system.
            let snapshot = out.appendingPathComponent(databaseFile)
            try await runtime.store.backend.snapshot(to: snapshot.path)
            chmod(snapshot.path, 0o600)
            let referenced = try await runtime.store.read { try await $0.referencedBlobIDs() }
            var blobs: [Manifest.Blob] = []
            for id in referenced.sorted() {
                guard let copied = try copyBlob(id, from: config.dataDirectory, to: out) else { continue }
                blobs.append(copied)
            }
            let keys = try await InstallationRecord(backend: runtime.store.backend).keys()
            let applied = try await runtime.migrator.appliedVersions()
            let events = try await runtime.store.read { try await $0.auditCount() }
            let manifest = Manifest(createdAt: ISODate.format(runtime.deps.clock.now()),
                                    database: runtime.store.backend.isPostgres ? "postgres" : "sqlite",
                                    schemaVersion: applied.max() ?? 0, kekID: keys.kekID ?? runtime.deps.kek.keyID,
                                    auditPublicKey: keys.auditPublicKey ?? runtime.signer.publicKeyHex, auditEvents: events, blobs: blobs)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try OwnerOnlyFile.write(try encoder.encode(manifest), to: out.appendingPathComponent("manifest.json"))
            if let keysOut { try copyKeys(config: config, to: keysOut) }
            let copied = blobs.count
            _ = try await runtime.store.write { tx in
                try await tx.appendAudit(AuditEntry(.backupMade, actor: nil, organisation: nil, target: nil, details: [
                    "blobs": String(copied), "keys_included": keysOut == nil ? "no" : "separately",
                ]), at: runtime.deps.clock.now())
            }
            await runtime.close()
            return manifest
        } catch {
            await runtime.close()
            throw error
        }
    }

    public struct Restored: Sendable, Equatable {
        public var blobs: Int
        /// Shares whose content was destroyed while the backup was being made.
        public var sharesWithoutContent: Int
        public var auditEvents: Int64
    }

    /// Brings a backup back into a new installation (`config`: its data directory, and its
    /// database URL for PostgreSQL, which must be empty). Keys come from `keysFrom`, or must
    /// already be in place (files or environment); the wrong keys are refused by id.
    public static func restore(from backup: URL, config: AppConfig, keysFrom: URL?, clock: any Clock = SystemClock()) async throws -> Restored {
        let fm = FileManager.default
        let manifestData = try Data(contentsOf: backup.appendingPathComponent("manifest.json"))
        let manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        guard manifest.format == "safehaven-backup", manifest.version == 1 else { throw ConfigError("this is not a Safehaven backup") }
        // Every blob is checked before anything is written.
        for blob in manifest.blobs {
            let url = blobURL(blob.id, under: backup)
            guard let data = fm.contents(atPath: url.path), Int64(data.count) == blob.bytes,
                  Encoding.hex(SHA256.hash(data: data)) == blob.sha256 else {
                throw ConfigError("the backup is damaged: blob \(blob.id) is missing or altered")
            }
        }
        let targetIsPostgres = config.databaseURL.map { $0.hasPrefix("postgres") } ?? false
        guard (manifest.database == "postgres") == targetIsPostgres else {
            throw ConfigError("this backup is of a \(manifest.database) database; restore it into the same kind")
        }
        try fm.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let snapshot = backup.appendingPathComponent(databaseFile).path
        if targetIsPostgres {
            let url = config.databaseURL!
            let backend = try await DatabaseLocation.parse(url).open(logger: Logger(label: "restore"))
            let holds = (try? await InstallationRecord(backend: backend).holdsData()) ?? false
            await backend.close()
            if holds { throw ConfigError("the target database already holds data: restore into an empty one") }
            try PostgresTools.run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", url, snapshot], url: url)
        } else {
            let target = config.databaseURL ?? config.dataDirectory.appendingPathComponent("safehaven.sqlite").path
            guard !fm.fileExists(atPath: target) else { throw ConfigError("\(target) exists already: restore into a new data directory") }
            try fm.copyItem(atPath: snapshot, toPath: target)
            chmod(target, 0o600)
        }
        for blob in manifest.blobs {
            let destination = blobURL(blob.id, under: config.dataDirectory)
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            try fm.copyItem(at: blobURL(blob.id, under: backup), to: destination)
            chmod(destination.path, 0o600)
        }
        if let keysFrom {
            for name in ["master.key", "audit.key", "master.key.previous"] {
                let source = keysFrom.appendingPathComponent(name)
                guard fm.fileExists(atPath: source.path) else { continue }
                let destination = config.dataDirectory.appendingPathComponent(name)
                guard !fm.fileExists(atPath: destination.path) else { throw ConfigError("\(destination.path) exists already") }
                try fm.copyItem(at: source, to: destination)
                chmod(destination.path, 0o600)
            }
        }
        var logger = Logger(label: "safehaven-restore")
        logger.logLevel = .warning
        // Opening checks the keys against the ids the database recorded, and applies any newer migrations.
        let runtime = try await Runtime.open(config: config, clock: clock, logger: logger)
        do {
            let present = Set(manifest.blobs.map(\.id))
            let withoutContent = try await runtime.shares.destroyContentMissingFrom(present, reason: "missing_from_backup")
            let events = try await runtime.store.read { try await $0.auditCount() }
            _ = try await runtime.store.write { tx in
                try await tx.appendAudit(AuditEntry(.backupRestored, actor: nil, organisation: nil, target: nil, details: [
                    "made": manifest.createdAt, "blobs": String(manifest.blobs.count), "without_content": String(withoutContent),
                ]), at: runtime.deps.clock.now())
            }
            await runtime.close()
            return Restored(blobs: manifest.blobs.count, sharesWithoutContent: withoutContent, auditEvents: events)
        } catch {
            await runtime.close()
            throw error
        }
    }

    // MARK: files

    public static func blobURL(_ id: String, under root: URL) -> URL {
        root.appendingPathComponent("blobs").appendingPathComponent(String(id.prefix(2))).appendingPathComponent(id)
    }

    static func makeEmptyDirectory(_ url: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) {
            guard (try fm.contentsOfDirectory(atPath: url.path)).isEmpty else { throw ConfigError("\(url.path) is not empty") }
        } else {
            try fm.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        chmod(url.path, 0o700)
    }

    /// Copies one sealed blob, hashing it on the way; nil if it has gone (destroyed meanwhile).
    static func copyBlob(_ id: String, from data: URL, to out: URL) throws -> Manifest.Blob? {
        let source = blobURL(id, under: data)
        guard let input = FileHandle(forReadingAtPath: source.path) else { return nil }
        defer { try? input.close() }
        let destination = blobURL(id, under: out)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let fd = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var hasher = SHA256()
        var total: Int64 = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            try output.write(contentsOf: chunk)
            total += Int64(chunk.count)
        }
        try output.synchronize()
        try output.close()
        return Manifest.Blob(id: id, bytes: total, sha256: Encoding.hex(hasher.finalize()))
    }

    /// The key files (or the keys given in the environment), owner-only, in their own directory.
    static func copyKeys(config: AppConfig, to dir: URL) throws {
        try makeEmptyDirectory(dir)
        let sources: [(String, String?)] = [
            ("master.key", config.masterKey), ("audit.key", config.auditKey), ("master.key.previous", config.previousMasterKey),
        ]
        for (name, fromEnvironment) in sources {
            let text: String
            if let fromEnvironment { text = fromEnvironment } else {
                let file = config.dataDirectory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                text = try KeyFile.load(file)
            }
            try OwnerOnlyFile.write(Data((text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n").utf8), to: dir.appendingPathComponent(name))
        }
    }
}
