import Foundation
import Logging
import SafehavenCore

/// Everything the service needs to start, as a plain value. The command line and the environment
/// fill it in; each environment variable is named here and nowhere else.
public struct AppConfig: Sendable {
    public var dataDirectory: URL
    /// `postgres://…` or a SQLite path; nil for `<data dir>/safehaven.sqlite`.
    public var databaseURL: String?
    public var host: String
    public var port: Int
    /// Base64 KEK from the environment instead of `master.key`.
    public var masterKey: String?
    /// The key-encryption key a rotation replaced, from the environment instead of `master.key.previous`.
    public var previousMasterKey: String?
    /// Base64 Ed25519 seed from the environment instead of `audit.key`.
    public var auditKey: String?
    public var limits: Limits
    /// scrypt cost (log2 N) for new password hashes.
    public var passwordCost: Int
    public var logLevel: Logger.Level
    /// Seconds between background job runs (expiry, sweeping orphans).
    public var jobInterval: Int
    /// Address of the first administrator created on a new installation.
    public var adminEmail: String
    /// Built-in route profile name (default `uk-current`).
    public var policyProfile: String?
    /// An administrator's policy file (JSON), which replaces the profile.
    public var policyFile: String?
    /// The address people use to reach the service (the base of every link); `https://…` turns on
    /// `Strict-Transport-Security`.
    public var publicURL: String?
    /// Bearer token a metrics scraper must present; without one, `/metrics` is not served.
    public var metricsToken: String?
    /// ClamAV's daemon, `host:port` or `unix:/path`; nil when files are not scanned for malware.
    public var clamd: String?
    /// What happens to a file when clamd gives no verdict.
    public var scannerDown: ScannerDownPolicy = .refuse
    /// Notifications: the mail relay, or files when there is none.
    public var mail = MailConfig()

    /// The lowest scrypt cost (log2 N) allowed outside tests: 2^17, as current guidance asks.
    public static let minimumPasswordCost = 17

    public init(dataDirectory: URL, databaseURL: String? = nil, host: String = "127.0.0.1", port: Int = 8080,
                masterKey: String? = nil, auditKey: String? = nil, limits: Limits = Limits(), passwordCost: Int = AppConfig.minimumPasswordCost,
                logLevel: Logger.Level = .info, jobInterval: Int = 60, adminEmail: String = "admin@safehaven.invalid") {
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.masterKey = masterKey
        self.auditKey = auditKey
        self.limits = limits
        self.passwordCost = passwordCost
        self.logLevel = logLevel
        self.jobInterval = jobInterval
        self.adminEmail = adminEmail
    }

    /// True when people reach the service over https, so browsers may be told to insist on it.
    public var isHTTPS: Bool { publicURL?.lowercased().hasPrefix("https://") == true }

    public enum Variable {
        public static let dataDirectory = "SAFEHAVEN_DATA_DIR"
        public static let databaseURL = "SAFEHAVEN_DATABASE_URL"
        public static let host = "SAFEHAVEN_HOST"
        public static let port = "SAFEHAVEN_PORT"
        public static let masterKey = "SAFEHAVEN_MASTER_KEY"
        public static let previousMasterKey = "SAFEHAVEN_PREVIOUS_MASTER_KEY"
        /// The key `keys rotate` moves to, when keys come from the environment.
        public static let newMasterKey = "SAFEHAVEN_NEW_MASTER_KEY"
        public static let auditKey = "SAFEHAVEN_AUDIT_KEY"
        public static let maxShareBytes = "SAFEHAVEN_MAX_SHARE_BYTES"
        public static let uploadHours = "SAFEHAVEN_UPLOAD_HOURS"
        public static let passwordCost = "SAFEHAVEN_PASSWORD_COST"
        /// A cost below the minimum, for test suites only (hashing at 2^17 takes ~0.3 s and 128 MiB).
        public static let testPasswordCost = "SAFEHAVEN_TEST_ONLY_PASSWORD_COST"
        public static let publicURL = "SAFEHAVEN_PUBLIC_URL"
        public static let metricsToken = "SAFEHAVEN_METRICS_TOKEN"
        public static let minimumFreeMB = "SAFEHAVEN_MIN_FREE_MB"
        public static let largeNumbers = "SAFEHAVEN_LARGE_NUMBERS"
        public static let authoriseAbovePeople = "SAFEHAVEN_AUTHORISE_ABOVE_PEOPLE"
        public static let clamd = "SAFEHAVEN_CLAMD"
        public static let scannerDown = "SAFEHAVEN_SCANNER_DOWN"
        public static let logLevel = "SAFEHAVEN_LOG_LEVEL"
        public static let adminEmail = "SAFEHAVEN_ADMIN_EMAIL"
        public static let policyProfile = "SAFEHAVEN_POLICY_PROFILE"
        public static let policyFile = "SAFEHAVEN_POLICY_FILE"
    }

    /// Reads the environment; command-line options given by the caller take precedence.
    public static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment,
        dataDirectory: String? = nil, databaseURL: String? = nil, host: String? = nil, port: Int? = nil,
        mail mailFlags: MailConfig.Overrides = .init()
    ) throws -> AppConfig {
        let dir = dataDirectory ?? env[Variable.dataDirectory] ?? "./data"
        var config = AppConfig(dataDirectory: URL(fileURLWithPath: dir, isDirectory: true).standardizedFileURL)
        config.databaseURL = databaseURL ?? env[Variable.databaseURL].flatMap { $0.isEmpty ? nil : $0 }
        config.host = host ?? env[Variable.host] ?? config.host
        if let port = port ?? env[Variable.port].flatMap(Int.init) {
            guard (0...65535).contains(port) else { throw ConfigError("port must be between 0 and 65535") }
            config.port = port
        }
        config.masterKey = env[Variable.masterKey].flatMap { $0.isEmpty ? nil : $0 }
        config.auditKey = env[Variable.auditKey].flatMap { $0.isEmpty ? nil : $0 }
        config.previousMasterKey = env[Variable.previousMasterKey].flatMap { $0.isEmpty ? nil : $0 }
        if let raw = env[Variable.maxShareBytes] {
            guard let bytes = Int64(raw), bytes > 0 else { throw ConfigError("\(Variable.maxShareBytes) must be a positive number of bytes") }
            config.limits.maxShareBytes = bytes
        }
        if let raw = env[Variable.uploadHours] {
            guard let hours = Int(raw), (1...720).contains(hours) else { throw ConfigError("\(Variable.uploadHours) must be 1 to 720 hours") }
            config.limits.uploadHours = hours
        }
        if let raw = env[Variable.passwordCost] {
            guard let cost = Int(raw), (minimumPasswordCost...20).contains(cost) else {
                throw ConfigError("\(Variable.passwordCost) must be \(minimumPasswordCost) to 20")
            }
            config.passwordCost = cost
        }
        if let raw = env[Variable.testPasswordCost] {
            guard let cost = Int(raw), (10...20).contains(cost) else { throw ConfigError("\(Variable.testPasswordCost) must be 10 to 20") }
            config.passwordCost = cost
        }
        if let raw = env[Variable.publicURL], !raw.isEmpty {
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil else {
                throw ConfigError("\(Variable.publicURL) must be an http:// or https:// address")
            }
            config.publicURL = raw
        }
        if let raw = env[Variable.largeNumbers] {
            guard let n = Int(raw), (2...100_000).contains(n) else { throw ConfigError("\(Variable.largeNumbers) must be a number of people from 2 up") }
            config.limits.largeNumbers = n
        }
        if let raw = env[Variable.clamd], !raw.isEmpty {
            guard ClamdScanner.Address.parse(raw) != nil else { throw ConfigError("\(Variable.clamd) must be host:port or unix:/path/to/clamd.ctl") }
            config.clamd = raw
        }
        if let raw = env[Variable.scannerDown], !raw.isEmpty {
            guard let policy = ScannerDownPolicy(rawValue: raw) else { throw ConfigError("\(Variable.scannerDown) must be refuse or allow-and-flag") }
            config.scannerDown = policy
        }
        if let raw = env[Variable.authoriseAbovePeople] {
            guard let n = Int(raw), (1...1000).contains(n) else { throw ConfigError("\(Variable.authoriseAbovePeople) must be a number of people from 1 to 1000") }
            config.limits.authoriseAbovePeople = n
        }
        if let raw = env[Variable.minimumFreeMB] {
            guard let mb = Int64(raw), mb >= 0 else { throw ConfigError("\(Variable.minimumFreeMB) must be a number of megabytes") }
            config.limits.minimumFreeBytes = mb * 1024 * 1024
        }
        if let token = env[Variable.metricsToken], !token.isEmpty {
            guard token.count >= 32 else { throw ConfigError("\(Variable.metricsToken) must be at least 32 characters") }
            config.metricsToken = token
        }
        if let raw = env[Variable.logLevel] {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else { throw ConfigError("unknown log level \(raw)") }
            config.logLevel = level
        }
        if let email = env[Variable.adminEmail] { config.adminEmail = email }
        config.policyProfile = env[Variable.policyProfile].flatMap { $0.isEmpty ? nil : $0 }
        config.policyFile = env[Variable.policyFile].flatMap { $0.isEmpty ? nil : $0 }
        config.mail = try MailConfig.read(env, mailFlags, publicURL: config.publicURL)
        return config
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
