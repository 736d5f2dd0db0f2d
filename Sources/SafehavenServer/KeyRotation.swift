import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage

/// `safehaven keys rotate`: moves every wrapped data key and sealed secret to a new
/// key-encryption key, without touching blobs, and can be run again to finish an interrupted
/// rotation.
///
/// With key files: the new key is written to `master.key.next` first (so a rerun resumes with
/// it), every value is re-wrapped, then `master.key` becomes `master.key.previous` and
/// `master.key.next` becomes `master.key`, and the database records the new key's id. The
/// previous key stays readable until the next rotation, for anything a running service wrapped
/// meanwhile. With keys in the environment, the new key comes from `SAFEHAVEN_NEW_MASTER_KEY`.
public enum KeyRotation {
    public struct Report: Sendable {
        public let fromID: String
        public let toID: String
        public let checked: Int
        public let rewrapped: Int
        public let instructions: String?
    }

    public static func run(config: AppConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
                           random: any RandomSource = SystemRandomSource(), clock: any Clock = SystemClock()) async throws -> Report {
        let runtime = try await Runtime.open(config: config, clock: clock, random: random)
        do {
            let report = try await rotate(runtime: runtime, config: config, environment: environment, random: random)
            await runtime.close()
            return report
        } catch {
            await runtime.close()
            throw error
        }
    }

    static func rotate(runtime: Runtime, config: AppConfig, environment: [String: String], random: any RandomSource) async throws -> Report {
        let installation = InstallationRecord(backend: runtime.store.backend)
        let current = runtime.deps.kek
        let recorded = try await installation.keys().kekID
        let fromEnvironment = config.masterKey != nil
        let dir = config.dataDirectory
        let nextURL = dir.appendingPathComponent(KeyFile.nextName)
        let target: KeyEncryptionKey
        if fromEnvironment {
            guard let text = environment[AppConfig.Variable.newMasterKey], !text.isEmpty else {
                throw ConfigError("the key-encryption key comes from \(AppConfig.Variable.masterKey); give the new one in "
                                  + "\(AppConfig.Variable.newMasterKey) (base64 of 32 random bytes)")
            }
            target = try KeyEncryptionKey(encoded: text)
        } else if recorded != current.keyID, recorded.map(current.previousKeyIDs.contains) == true,
                  !FileManager.default.fileExists(atPath: nextURL.path) {
            // The files were swapped but the database not yet told: finish that.
            target = current
        } else {
            target = try KeyEncryptionKey(encoded: try KeyFile.loadOrCreate(nextURL, mayCreate: true,
                                                                            make: { KeyEncryptionKey.generateEncoded(random: random) }))
        }
        guard target.keyID != current.keyID || recorded != current.keyID else {
            throw ConfigError("the new key-encryption key is the one already in use")
        }
        let ring = target.replacing(current)
        let service = KeyRotationService(runtime.deps)
        var outcome = KeyRotationService.Outcome()
        // A running service may wrap new keys under the old one meanwhile: pass again until none remain.
        for _ in 0..<5 {
            let pass = try await service.rewrap(using: ring)
            outcome.checked = max(outcome.checked, pass.checked)
            outcome.rewrapped += pass.rewrapped
            if try await service.remaining(for: ring) == 0 { break }
        }
        let left = try await service.remaining(for: ring)
        guard left == 0 else {
            throw ConfigError("\(left) values still need the old key (the service keeps wrapping under it): stop the service and run this again")
        }
        var instructions: String?
        if fromEnvironment {
            instructions = "Set \(AppConfig.Variable.masterKey) to the new key and \(AppConfig.Variable.previousMasterKey) to the old one, "
                + "then restart the service. Keep the old key until the next rotation."
        } else if target.keyID != current.keyID {
            try swapKeyFiles(in: dir)
        }
        try await installation.replaceKEK(id: target.keyID)
        let from = recorded ?? current.keyID
        try await service.audit(from: from, to: target.keyID, outcome: outcome)
        return Report(fromID: from, toID: target.keyID, checked: outcome.checked, rewrapped: outcome.rewrapped, instructions: instructions)
    }

    /// master.key → master.key.previous, master.key.next → master.key; the directory synced.
    static func swapKeyFiles(in dir: URL) throws {
        let key = dir.appendingPathComponent("master.key").path
        let previous = dir.appendingPathComponent(KeyFile.previousName).path
        let next = dir.appendingPathComponent(KeyFile.nextName).path
        guard rename(key, previous) == 0, rename(next, key) == 0 else {
            throw ConfigError("could not put the new key in place (\(String(cString: strerror(errno)))); run `safehaven keys rotate` again")
        }
        let fd = open(dir.path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
