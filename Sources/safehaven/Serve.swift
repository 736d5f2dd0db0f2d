import ArgumentParser
import Foundation
import SafehavenCLI
import SafehavenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (creates the data directory, keys and first administrator on first run).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0 picks a free one).") var port: Int?
    @Option(name: .customLong("smtp-host"), help: "Mail relay for notifications (SAFEHAVEN_SMTP_HOST); without one they are written as .eml files.") var smtpHost: String?
    @Option(name: .customLong("smtp-port"), help: "Its port (SAFEHAVEN_SMTP_PORT, default 587).") var smtpPort: Int?
    @Option(name: .customLong("smtp-starttls"), help: "required (default), optional or none (SAFEHAVEN_SMTP_STARTTLS).") var smtpStartTLS: String?
    @Option(name: .customLong("smtp-username"), help: "User name for AUTH (SAFEHAVEN_SMTP_USERNAME).") var smtpUsername: String?
    @Option(name: .customLong("smtp-password-file"), help: "File holding the AUTH password (or SAFEHAVEN_SMTP_PASSWORD).") var smtpPasswordFile: String?
    @Option(name: .customLong("smtp-ca-file"), help: "PEM CA certificate for a private relay (SAFEHAVEN_SMTP_CA_FILE).") var smtpCAFile: String?
    @Option(name: .customLong("mail-from"), help: "Sender address of notifications (SAFEHAVEN_MAIL_FROM).") var mailFrom: String?

    func run() async throws {
        do {
            var mail = MailConfig.Overrides()
            mail.host = smtpHost
            mail.port = smtpPort
            mail.startTLS = smtpStartTLS
            mail.username = smtpUsername
            mail.passwordFile = smtpPasswordFile
            mail.caFile = smtpCAFile
            mail.from = mailFrom
            try await Commands.serve(config: try store.config(host: host, port: port, mail: mail))
        } catch {
            throw fail(error)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations (or list them with --dry-run).")

    @OptionGroup var store: StoreOptions
    @Flag(name: .customLong("dry-run"), help: "List pending migrations and change nothing.") var dryRun = false

    func run() async throws {
        do {
            print(try await Commands.migrate(config: try store.config(), dryRun: dryRun))
        } catch {
            throw fail(error)
        }
    }
}
