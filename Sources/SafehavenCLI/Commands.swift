import Foundation
import Hummingbird
import Logging
import SafehavenCore
import SafehavenServer
import SafehavenStorage

/// What each CLI command does. The executable only parses arguments and calls in here.
public enum Commands {
    static func withRuntime<T>(_ config: AppConfig, migrate: Bool = true, _ body: (Runtime) async throws -> T) async throws -> T {
        var logger = Logger(label: "safehaven")
        logger.logLevel = .warning
        let runtime = try await Runtime.open(config: config, migrate: migrate, logger: logger)
        do {
            let value = try await body(runtime)
            await runtime.close()
            return value
        } catch {
            await runtime.close()
            throw error
        }
    }

    public static func serve(config: AppConfig) async throws {
        var logger = Logger(label: "safehaven")
        logger.logLevel = config.logLevel
        let runtime = try await Runtime.open(config: config, logger: logger)
        if config.passwordCost < AppConfig.minimumPasswordCost {
            say("WARNING: password hashing is set below 2^\(AppConfig.minimumPasswordCost) for testing (\(AppConfig.Variable.testPasswordCost)); never run like this with real people.")
        }
        if config.metricsToken == nil { logger.info("metrics are not served: set \(AppConfig.Variable.metricsToken) to let a scraper read /metrics") }
        // Partial writes left by a crash belong to no upload now: remove them before serving.
        if let removed = try? runtime.blobs.removeAbandonedWrites(olderThan: .distantFuture), removed > 0 {
            logger.info("removed partial writes left by an earlier stop", metadata: ["count": "\(removed)"])
        }
        // The database service closes the connection when the group stops; if the group never
        // got going (the port is taken, say), close it here.
        do {
            if let admin = try await runtime.ensureFirstAdministrator() {
                say("""
                    New installation in \(config.dataDirectory.path).
                    First administrator: \(admin.email)
                    One-time password:   \(admin.password)
                    This password is shown once and is not stored anywhere in readable form. Sign in and keep it safe.
                    """)
            }
            let app = try buildApplication(runtime: runtime) { port in
                say("Safehaven is listening on http://\(config.host):\(port)")
                say("Notifications go to \(runtime.mailDescription).")
                if config.publicURL == nil {
                    say("Links in notifications point to http://\(config.host):\(port); set \(AppConfig.Variable.publicURL) to the address people use.")
                }
            }
            try await app.runService()
        } catch {
            await runtime.close()
            throw error
        }
    }

    public static func migrate(config: AppConfig, dryRun: Bool) async throws -> String {
        try await withRuntime(config, migrate: false) { runtime in
            if dryRun {
                let pending = try await runtime.migrator.pending()
                if pending.isEmpty { return "up to date: no pending migrations" }
                return (["would apply:"] + pending.map { "  \($0.version) \($0.name)" }).joined(separator: "\n")
            }
            let applied = try await runtime.migrator.migrate()
            if applied.isEmpty { return "up to date: no pending migrations" }
            return (["applied:"] + applied.map { "  \($0.version) \($0.name)" }).joined(separator: "\n")
        }
    }

    public static func addOrganisation(config: AppConfig, name: String, domains: [String], switchboard: String, address: String) async throws -> String {
        try await withRuntime(config) { runtime in
            try await runtime.directory.createOrganisation(name: name, domains: domains, switchboard: switchboard, address: address).id
        }
    }

    public static func addUser(config: AppConfig, input: DirectoryService.NewUser) async throws -> (User, String?) {
        try await withRuntime(config) { runtime in try await runtime.directory.createUser(input) }
    }

    public static func createToken(config: AppConfig, email: String, days: Int?) async throws -> String {
        try await withRuntime(config) { runtime in try await runtime.auth.createAPIToken(email: email, expiresInDays: days).token }
    }

    public enum UserAction: String, Sendable { case disable, enable, resetTOTP = "reset-totp" }

    /// `org pattern add|remove|list`: an organisation's own identifiers for the subject checks.
    public static func setPattern(config: AppConfig, org: String, name: String, pattern: String) async throws -> String {
        try await withRuntime(config) { try await $0.directory.setIdentifierPattern(.init(name: name, pattern: pattern), organisation: org) }
        return "subjects sent from \(org) are now checked for \(name)"
    }

    public static func removePattern(config: AppConfig, org: String, name: String) async throws -> String {
        try await withRuntime(config) { try await $0.directory.removeIdentifierPattern(name: name, organisation: org) }
        return "removed \(name)"
    }

    public static func listPatterns(config: AppConfig, org: String) async throws -> String {
        let list = try await withRuntime(config, migrate: false) { try await $0.directory.identifierPatterns(organisation: org) }
        return list.isEmpty ? "no patterns for \(org)" : list.map { "\($0.name)\t\($0.pattern)" }.joined(separator: "\n")
    }

    /// An operator's change to an account, by address; audited with no actor (the operator's shell).
    public static func changeUser(config: AppConfig, email: String, action: UserAction) async throws -> String {
        try await withRuntime(config) { runtime in
            let address = try EmailAddress.normalise(email)
            guard let user = try await runtime.store.read({ try await $0.user(email: address) }) else {
                throw SafehavenError.invalid("email", "No user has that email address.")
            }
            switch action {
            case .disable:
                try await runtime.auth.setDisabled(user.id, true, by: nil)
                return "disabled \(address): every session and token has ended"
            case .enable:
                try await runtime.auth.setDisabled(user.id, false, by: nil)
                return "enabled \(address)"
            case .resetTOTP:
                try await runtime.auth.resetTOTP(user.id, by: nil)
                return "removed the second factor of \(address); they sign in with their password and set it up again"
            }
        }
    }

    /// Writes a line straight to standard output, unbuffered, so a notice reaches a pipe or a log
    /// file at once.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A one-line explanation of an error for the terminal.
    public static func describe(_ error: Error) -> String {
        if let e = error as? SafehavenError { return e.message }
        return String(describing: error)
    }
}
