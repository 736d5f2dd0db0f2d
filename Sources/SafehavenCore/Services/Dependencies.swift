import Foundation
import SafehavenCrypto

/// Everything a use case needs, passed in as one value so tests can swap the clock, ids and
/// randomness for deterministic ones.
public struct Dependencies: Sendable {
    public var store: any Store
    public var blobs: any BlobStore
    public var kek: KeyEncryptionKey
    public var clock: any Clock
    public var ids: any IDGenerator
    public var random: any RandomSource
    public var passwords: PasswordHasher
    /// Signs audit checkpoints; its public half verifies them.
    public var auditSigner: CheckpointSigner
    public var limits: Limits
    /// The route policy in force (the `uk-current` profile unless configured otherwise).
    public var policy: RoutePolicy
    /// Scans every file as it streams in; nil when no scanner is configured.
    public var scanner: (any MalwareScanner)?
    /// What happens to a file when the scanner cannot give a verdict.
    public var scannerDown: ScannerDownPolicy = .refuse
    /// Blobs being written for work not yet committed; the sweep skips them.
    public let inProgress = BlobsInProgress()
    /// Password hashing runs a few at a time (see `HashingSlots`).
    public let hashing = HashingSlots()
    /// The last readiness probe.
    public let health = HealthState()

    public init(store: any Store, blobs: any BlobStore, kek: KeyEncryptionKey, clock: any Clock,
                ids: any IDGenerator, random: any RandomSource, passwords: PasswordHasher, auditSigner: CheckpointSigner,
                limits: Limits = Limits(),
                policy: RoutePolicy = BuiltInProfiles.ukCurrent) {
        self.policy = policy
        self.store = store
        self.blobs = blobs
        self.kek = kek
        self.clock = clock
        self.ids = ids
        self.random = random
        self.passwords = passwords
        self.auditSigner = auditSigner
        self.limits = limits
    }
}

/// Tunable limits, with the defaults a new installation gets.
public struct Limits: Sendable, Equatable {
    /// Largest total upload per share, in bytes (default 2 GiB).
    public var maxShareBytes: Int64 = 2 * 1024 * 1024 * 1024
    public var maxFilesPerShare = 100
    public var maxRecipients = 50
    public var maxMessageBytes = 100_000
    public var defaultExpiryDays = 30
    public var maxExpiryDays = 365
    public var sessionHours = 12
    /// A browser session ends after this many minutes without use.
    public var webIdleMinutes = 30
    public var apiTokenDefaultDays = 90
    /// Failed logins after which each further attempt must wait (doubling each time).
    public var slowLoginsAfter = 3
    /// Failed logins after which the account is locked for `lockMinutes`.
    public var lockLoginsAfter = 10
    public var lockMinutes = 15
    /// Failed sign-ins to one address from anywhere after which attempts are slowed (never locked).
    public var slowLoginsAfterAnywhere = 10
    /// Failed sign-ins from one source, whatever the address, after which attempts are slowed.
    public var slowLoginsFromSource = 30
    /// The longest wait those two impose, in seconds.
    public var maxDelayAnywhereSeconds = 60
    /// Longest time an audit event may wait for a signed checkpoint; older unsigned events fail
    /// verification.
    public var auditCheckpointSeconds = 60
    /// From this many people (or distinct identifiers in a share), information is about "large
    /// numbers of people" and the choice of channel narrows. See docs/policy.md for the reasoning.
    public var largeNumbers = ChannelAdvisor.largeNumbers
    /// A share marked OFFICIAL-SENSITIVE about more than this many people waits for a manager's
    /// authorisation.
    public var authoriseAbovePeople = 5
    /// Below this much free space in the data directory, `/health` says not ready (default 512 MiB).
    public var minimumFreeBytes: Int64 = 512 * 1024 * 1024
    /// A resumable upload (and its draft) is deleted this many hours after its last progress.
    public var uploadHours = 24
    /// Drafts one person may have open at once.
    public var maxOpenDrafts = 10

    public init() {}
}
