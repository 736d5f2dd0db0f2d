import Foundation
import NIOCore
import SafehavenMail

/// Where notifications go: a mail relay, or (with none configured, the embedded default) `.eml`
/// files under the data directory. Each setting is an environment variable named here, with a
/// matching `serve` flag.
public struct MailConfig: Sendable {
    /// Nil: write each message as a file instead of sending it.
    public var relay: SMTPClient.Settings?
    /// The sender of every notification.
    public var from = "safehaven@localhost"
    /// A message still not accepted this long after it was queued moves to the failed (dead-letter) state.
    public var deadAfterHours = 48
    /// Seconds between looks at the outbox.
    public var intervalSeconds = 5
    /// The first retry waits this long (then twice as long each time, up to an hour).
    public var retrySeconds = 30
    /// How long a worker's claim on a batch lasts; a killed worker's batch is taken up after it.
    /// Must be longer than a batch takes to send.
    public var leaseSeconds = 300

    public init() {}

    public enum Variable {
        public static let host = "SAFEHAVEN_SMTP_HOST"
        public static let port = "SAFEHAVEN_SMTP_PORT"
        public static let startTLS = "SAFEHAVEN_SMTP_STARTTLS"
        public static let username = "SAFEHAVEN_SMTP_USERNAME"
        public static let password = "SAFEHAVEN_SMTP_PASSWORD"
        public static let caFile = "SAFEHAVEN_SMTP_CA_FILE"
        public static let from = "SAFEHAVEN_MAIL_FROM"
        public static let deadAfterHours = "SAFEHAVEN_OUTBOX_DEAD_AFTER_HOURS"
        public static let interval = "SAFEHAVEN_OUTBOX_INTERVAL"
        public static let retrySeconds = "SAFEHAVEN_OUTBOX_RETRY_SECONDS"
        public static let leaseSeconds = "SAFEHAVEN_OUTBOX_LEASE_SECONDS"
    }

    /// Values given on the command line, which win over the environment.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var startTLS: String?
        public var username: String?
        public var passwordFile: String?
        public var caFile: String?
        public var from: String?
        public init() {}
    }

    static func read(_ env: [String: String], _ given: Overrides, publicURL: String?) throws -> MailConfig {
        var mail = MailConfig()
        func value(_ flag: String?, _ name: String) -> String? { (flag ?? env[name]).flatMap { $0.isEmpty ? nil : $0 } }
        if let from = value(given.from, Variable.from) {
            guard from.contains("@"), !from.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace }) else {
                throw ConfigError("\(Variable.from) must be a plain email address such as safehaven@example.org")
            }
            mail.from = from
        } else if let host = publicURL.flatMap({ URL(string: $0)?.host }) {
            mail.from = "safehaven@\(host)"
        }
        if let raw = env[Variable.deadAfterHours] {
            guard let hours = Int(raw), (1...24 * 30).contains(hours) else { throw ConfigError("\(Variable.deadAfterHours) must be 1 to 720 hours") }
            mail.deadAfterHours = hours
        }
        if let raw = env[Variable.interval] {
            guard let seconds = Int(raw), (1...3600).contains(seconds) else { throw ConfigError("\(Variable.interval) must be 1 to 3600 seconds") }
            mail.intervalSeconds = seconds
        }
        if let raw = env[Variable.retrySeconds] {
            guard let seconds = Int(raw), (1...3600).contains(seconds) else { throw ConfigError("\(Variable.retrySeconds) must be 1 to 3600 seconds") }
            mail.retrySeconds = seconds
        }
        if let raw = env[Variable.leaseSeconds] {
            guard let seconds = Int(raw), (1...3600).contains(seconds) else { throw ConfigError("\(Variable.leaseSeconds) must be 1 to 3600 seconds") }
            mail.leaseSeconds = seconds
        }
        guard let host = value(given.host, Variable.host) else { return mail }
        var relay = SMTPClient.Settings(host: host)
        if let raw = given.port.map(String.init) ?? value(nil, Variable.port) {
            guard let port = Int(raw), (1...65535).contains(port) else { throw ConfigError("\(Variable.port) must be 1 to 65535") }
            relay.port = port
        }
        if let raw = value(given.startTLS, Variable.startTLS) {
            guard let mode = SMTPClient.StartTLS(rawValue: raw.lowercased()) else {
                throw ConfigError("\(Variable.startTLS) is required, optional or none")
            }
            relay.startTLS = mode
        }
        relay.username = value(given.username, Variable.username)
        if let file = given.passwordFile {
            relay.password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            relay.password = value(nil, Variable.password)
        }
        if (relay.username == nil) != (relay.password == nil) {
            throw ConfigError("give both \(Variable.username) and \(Variable.password), or neither")
        }
        if let file = value(given.caFile, Variable.caFile) {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ConfigError("\(Variable.caFile): cannot read \(file)") }
            relay.caFile = file
        }
        relay.heloName = publicURL.flatMap { URL(string: $0)?.host } ?? "localhost"
        mail.relay = relay
        return mail
    }
}
