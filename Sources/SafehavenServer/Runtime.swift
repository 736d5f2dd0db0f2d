import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage
import Synchronization

/// An opened installation: data directory, keys, database (migrated) and the services on top.
/// The server and every CLI command use this one path to open the store.
public struct Runtime: Sendable {
    public let config: AppConfig
    public let deps: Dependencies
    public let store: SQLStore
    public let blobs: DirectoryBlobStore
    public let signer: CheckpointSigner
    public let logger: Logger
    /// False for a dry run, which must change nothing.
    let writable: Bool
    /// Set once the database has been closed: the service group and its caller may both close.
    private let closed = OnceFlag()

    // The use cases, each over the same dependencies.
    public var auth: AuthService { AuthService(deps) }
    public var directory: DirectoryService { DirectoryService(deps) }
    public var shares: ShareService { ShareService(deps) }
    public var exports: ExportService { ExportService(deps) }
    public var register: RegisterService { RegisterService(deps) }
    public var partnerPasswords: PartnerPasswordService { PartnerPasswordService(deps) }
    public var policy: PolicyService { PolicyService(deps) }
    public var health: HealthService { HealthService(deps, state: deps.health) }
    public var audit: AuditService { AuditService(deps) }
    public var accredited: AccreditedService { AccreditedService(deps) }
    public var invitations: InvitationService { InvitationService(deps) }

    init(config: AppConfig, deps: Dependencies, store: SQLStore, blobs: DirectoryBlobStore, signer: CheckpointSigner, logger: Logger,
         writable: Bool) {
        self.writable = writable
        self.config = config
        self.deps = deps
        self.store = store
        self.blobs = blobs
        self.signer = signer
        self.logger = logger
    }

    /// Opens (and on first use creates) the installation at `config.dataDirectory`.
    /// - Parameter migrate: false only for `migrate --dry-run`, which must change nothing.
    public static func open(config: AppConfig, clock: any Clock = SystemClock(), ids: any IDGenerator = UUIDGenerator(),
                            random: any RandomSource = SystemRandomSource(), migrate: Bool = true,
                            counter: QueryCounter? = nil, logger: Logger = Logger(label: "safehaven")) async throws -> Runtime {
        let policy: RoutePolicy
        do {
            policy = try RoutePolicy.resolve(profile: config.policyProfile, file: config.policyFile)
        } catch let error as PolicyError {
            throw ConfigError("route policy: \(error.description)")
        }
        // Everything the service writes (database, its journal, blobs, keys) is for its owner only.
        umask(0o077)
        let fm = FileManager.default
        try fm.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let location = try DatabaseLocation.parse(config.databaseURL ?? config.dataDirectory.appendingPathComponent("safehaven.sqlite").path)
        let backend = try await location.open(logger: logger)
        do {
            if migrate { try await Migrator(backend: backend).migrate(now: clock.now()) }
            let installation = InstallationRecord(backend: backend)
            // Keys are created only for a database that holds nothing yet: new keys beside
            // existing data would leave it unreadable, silently.
            // (Unmigrated, as for a dry run, a database without tables holds nothing.)
            let mayCreate = migrate ? !(try await installation.holdsData()) : (try? await installation.holdsData()) != true
            var kek = try KeyEncryptionKey(encoded: config.masterKey ?? KeyFile.loadOrCreate(
                config.dataDirectory.appendingPathComponent("master.key"), mayCreate: mayCreate,
                make: { KeyEncryptionKey.generateEncoded(random: random) }))
            // The key a rotation replaced, still tried for anything not yet re-wrapped.
            let previousFile = config.dataDirectory.appendingPathComponent(KeyFile.previousName)
            let previousText = try config.previousMasterKey
                ?? (FileManager.default.fileExists(atPath: previousFile.path) ? KeyFile.load(previousFile) : nil)
            if let previous = previousText {
                kek = kek.replacing(try KeyEncryptionKey(encoded: previous))
            }
            // A rotation interrupted part-way has moved some values to the next key already.
            let nextFile = config.dataDirectory.appendingPathComponent(KeyFile.nextName)
            if config.masterKey == nil, FileManager.default.fileExists(atPath: nextFile.path) {
                kek = kek.replacing(try KeyEncryptionKey(encoded: try KeyFile.load(nextFile)))
            }
            let signer = try CheckpointSigner(encoded: config.auditKey ?? KeyFile.loadOrCreate(
                config.dataDirectory.appendingPathComponent("audit.key"), mayCreate: mayCreate,
                make: { CheckpointSigner.generateEncoded(random: random) }))
            if migrate { try await KeyFile.check(kek: kek, signer: signer, against: installation) }
            let store = SQLStore(backend: backend, counter: counter)
            let blobs = try DirectoryBlobStore(root: config.dataDirectory)
            var deps = Dependencies(store: store, blobs: blobs, kek: kek, clock: clock, ids: ids, random: random,
                                    passwords: PasswordHasher(logN: config.passwordCost, random: random), auditSigner: signer,
                                    limits: config.limits,
                                    policy: policy)
            deps.scanner = config.clamd.flatMap(ClamdScanner.Address.parse).map { ClamdScanner(address: $0) }
            deps.scannerDown = config.scannerDown
            return Runtime(config: config, deps: deps, store: store, blobs: blobs, signer: signer, logger: logger,
                           writable: migrate)
        } catch {
            await backend.close()
            throw error
        }
    }

    public var migrator: Migrator { Migrator(backend: store.backend) }

    /// Signs a checkpoint over whatever this process appended to the audit chain, then closes the
    /// database.
    public func close() async {
        guard closed.claim() else { return }
        if writable {
            let audit = self.audit
            do { _ = try await Task.detached { try await audit.checkpoint() }.value } catch {
                logger.error("could not sign an audit checkpoint on closing", metadata: ["error": "\(error)"])
            }
        }
        await store.backend.close()
    }

    /// On a new installation (no users at all), creates an administrators' organisation and a
    /// first administrator, returning the address and one-time password to show once.
    public func ensureFirstAdministrator() async throws -> (email: String, password: String)? {
        let count = try await store.read { try await $0.userCount() }
        guard count == 0 else { return nil }
        let email = try EmailAddress.normalise(config.adminEmail)
        let domain = EmailAddress.domain(of: email)
        var org = try await directory.findOrganisation(domain)
        if org == nil {
            org = try await directory.createOrganisation(
                name: "Safehaven administration", domains: [domain], switchboard: "not set", address: "not set")
        }
        var input = DirectoryService.NewUser(email: email, name: "Administrator", organisation: org!.id, jobTitle: "Administrator",
                                             phone: "not set", roles: [.admin, .serviceAdmin])
        input.mustChangePassword = true
        let (_, password) = try await directory.createUser(input)
        return (email, password ?? "")
    }
}

/// Key files: created once with 0600 permissions, read as text thereafter, refused when others
/// could read them, and checked against the ids the database recorded when it was made.
enum KeyFile {
    static let previousName = "master.key.previous"
    static let nextName = "master.key.next"

    static func loadOrCreate(_ url: URL, mayCreate: Bool, make: () -> String) throws -> String {
        if FileManager.default.fileExists(atPath: url.path) { return try load(url) }
        guard mayCreate else {
            throw ConfigError("\(url.lastPathComponent) is missing from \(url.deletingLastPathComponent().path), but the database " +
                              "already holds data made with it. Restore the key from its backup (or set it in the environment); " +
                              "a new key could not read anything already stored.")
        }
        let value = make()
        let fd = Foundation.open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            // Another process created it first: use theirs.
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
            throw ConfigError("cannot create \(url.path)")
        }
        let bytes = Array((value + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        fsync(fd)
        close(fd)
        return value
    }

    /// Reads a key file that only its owner can read.
    static func load(_ url: URL) throws -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue else { throw ConfigError("cannot read \(url.path)") }
        let mode = permissions & 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigError("\(url.path) can be read by other users (mode \(String(mode, radix: 8))). " +
                              "Run: chmod 600 \(url.path)")
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw ConfigError("cannot read \(url.path)") }
        return text
    }

    /// Refuses keys other than the ones the database was made with; records them the first time.
    static func check(kek: KeyEncryptionKey, signer: CheckpointSigner, against installation: InstallationRecord) async throws {
        let recorded = try await installation.keys()
        if let id = recorded.kekID, id != kek.keyID, !kek.previousKeyIDs.contains(id) {
            throw ConfigError("the key-encryption key (id \(kek.keyID)) is not the one this database was made with (id \(id)). " +
                              "Restore the right master.key or SAFEHAVEN_MASTER_KEY.")
        }
        if let key = recorded.auditPublicKey, key != signer.publicKeyHex {
            throw ConfigError("the audit signing key is not the one this database was made with. " +
                              "Restore the right audit.key or SAFEHAVEN_AUDIT_KEY.")
        }
        if recorded.kekID == nil || recorded.auditPublicKey == nil {
            try await installation.record(kekID: kek.keyID, auditPublicKey: signer.publicKeyHex)
        }
    }
}

/// True the first time `claim` is called, false every time after.
final class OnceFlag: Sendable {
    private let taken = Mutex(false)
    func claim() -> Bool {
        taken.withLock { value in
            defer { value = true }
            return !value
        }
    }
}
