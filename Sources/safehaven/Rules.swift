import ArgumentParser
import Foundation
import SafehavenCore
import SafehavenCLI
import SafehavenServer

struct PolicyOptions: ParsableArguments {
    @Option(help: "Built-in profile: uk-current (default), merton, pan-london, swindon, nhs-ig-toolkit.") var profile: String?
    @Option(help: "A policy file (JSON) instead of a built-in profile.") var policy: String?
}

struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say whether direct email between two addresses is secure, and why.",
        discussion: "With --data-dir (or --database-url), the answer is the running service's: its policy plus every organisation in its directory.")
    @Argument var from: String
    @Argument var to: String
    @OptionGroup var policy: PolicyOptions
    @Option(name: .customLong("data-dir"), help: "An installation's data directory: answer as that service does.") var dataDir: String?
    @Option(name: .customLong("database-url"), help: "That installation's database, if not in the data directory.") var databaseURL: String?
    @Flag var json = false

    func run() async throws {
        do {
            if dataDir != nil || databaseURL != nil {
                let config = try AppConfig.fromEnvironment(dataDirectory: dataDir, databaseURL: databaseURL)
                print(try await Commands.route(config: config, from: from, to: to, profile: policy.profile, json: json))
            } else {
                print(try Commands.route(from: from, to: to, profile: policy.profile, policyFile: policy.policy, json: json))
            }
        } catch {
            throw fail(error, json: json)
        }
    }
}

extension Channel: ExpressibleByArgument {}
extension AdviceRequest.Urgency: ExpressibleByArgument {}

struct Advise: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recommend how to share, with the checklist for each channel.")
    @Option var marking: String
    @Option(help: "How many identifiable people the information is about.") var people: Int
    @Option(help: "routine or urgent.") var urgency: AdviceRequest.Urgency = .routine
    @Option var from: String
    @Option var to: String
    @Flag(name: .customLong("no-account"), help: "The recipient has no Safehaven account.") var noAccount = false
    @Option(name: .customLong("channel"), help: "A channel you can use (repeatable; default all).") var channels: [Channel] = []
    @OptionGroup var policy: PolicyOptions
    @Flag var json = false

    func run() throws {
        do {
            let request = AdviceRequest(marking: marking, people: people, urgency: urgency, from: from, to: to,
                                        recipientHasAccount: !noAccount, available: channels.isEmpty ? nil : channels)
            print(try Commands.advise(request, profile: policy.profile, policyFile: policy.policy, json: json))
        } catch {
            throw fail(error, json: json)
        }
    }
}

struct CheckSubject: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-subject", abstract: "Look for personal data in a subject line; exits 1 when anything is found.")
    @Argument var text: String
    @Option(name: .customLong("name"), help: "Name of a person the share is about (repeatable).") var names: [String] = []
    @Flag var json = false

    func run() throws {
        let outcome: (String, Bool)
        do { outcome = try Commands.checkSubject(text, names: names, json: json) } catch { throw fail(error, json: json) }
        print(outcome.0)
        if !outcome.1 { throw ExitCode(1) }
    }
}

struct CoverSheet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cover-sheet", abstract: "Print-ready HTML fax cover sheet.")
    @Option(name: .customLong("to-name")) var toName: String
    @Option(name: .customLong("to-organisation")) var toOrganisation: String
    @Option(name: .customLong("to-fax")) var toFax: String
    @Option(name: .customLong("from-name")) var fromName: String
    @Option(name: .customLong("from-organisation")) var fromOrganisation: String
    @Option(name: .customLong("from-switchboard"), help: "Published switchboard for call-backs.") var fromSwitchboard: String
    @Option(help: "Pages including the cover sheet.") var pages: Int
    @Option var marking: String?
    @Option var date: String?
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() throws {
        do {
            try Commands.faxCoverSheet(FaxCover(toName: toName, toOrganisation: toOrganisation, toFax: toFax, fromName: fromName,
                                                fromOrganisation: fromOrganisation, fromSwitchboard: fromSwitchboard, pages: pages,
                                                marking: marking, date: date), out: out)
        } catch {
            throw fail(error)
        }
    }
}

struct Envelope: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print-ready HTML labels for a double envelope.")
    @Option(name: .customLong("to-name")) var toName: String
    @Option(name: .customLong("to-job-title")) var toJobTitle: String?
    @Option(name: .customLong("to-address"), help: "Use \\n or commas between lines.") var toAddress: String
    @Option(name: .customLong("return-address")) var returnAddress: String
    @Flag(name: .customLong("signed-for")) var signedFor = false
    @Option var out: String?

    func run() throws {
        do {
            try Commands.envelopeLabels(EnvelopeLabels(toName: toName, toJobTitle: toJobTitle, toAddress: Commands.addressLines(toAddress),
                                                       returnAddress: Commands.addressLines(returnAddress), signedFor: signedFor), out: out)
        } catch {
            throw fail(error)
        }
    }
}

struct Accredited: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep the list of organisations accredited to the secure email standard (DCB1596).",
        subcommands: [Import.self, List.self, Remove.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or update entries from a CSV of domain,organisation (all rows or none).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The CSV file.") var file: String
        func run() async throws {
            do { print(try await Commands.importAccredited(config: try store.config(), file: file)) } catch { throw fail(error) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the list: domain, organisation, where it came from.")
        @OptionGroup var store: StoreOptions
        func run() async throws {
            do { print(try await Commands.listAccredited(config: try store.config())) } catch { throw fail(error) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a domain off the list.")
        @OptionGroup var store: StoreOptions
        @Argument var domain: String
        func run() async throws {
            do { print(try await Commands.removeAccredited(config: try store.config(), domain: domain)) } catch { throw fail(error) }
        }
    }
}

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Notifications that could not be delivered: list them, send them again, or drop them.",
        subcommands: [List.self, Retry.self, Purge.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print failed notifications (id, state, kind, to, attempts, queued, last error).")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Every notification, not only the failed ones.") var all = false
        func run() async throws {
            do { print(try await Commands.listOutbox(config: try store.config(), all: all)) } catch { throw fail(error) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed notification again (same Message-ID).")
        @OptionGroup var store: StoreOptions
        @Argument var id: String
        func run() async throws {
            do { print(try await Commands.retryOutbox(config: try store.config(), id: id)) } catch { throw fail(error) }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one failed notification, or all of them with --all.")
        @OptionGroup var store: StoreOptions
        @Argument var id: String?
        @Flag(help: "Every failed notification.") var all = false
        func run() async throws {
            guard all != (id != nil) else { throw ValidationError("give the id of one failed notification, or --all") }
            do { print(try await Commands.purgeOutbox(config: try store.config(), id: id)) } catch { throw fail(error) }
        }
    }
}

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "The register of disclosures and decisions not to share.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an organisation's register, consents, off-site or media log, or incidents as CSV or JSON (columns in docs/records.md).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Organisation id or one of its domains.") var org: String
        @Option(help: "From this date or time (inclusive).") var from: String?
        @Option(help: "Up to this date or time (exclusive).") var to: String?
        @Option(help: "csv or json.") var format: String = "csv"
        @Option(help: "register (default), consents, offsite, media or incidents.") var set: String = "register"
        func run() async throws {
            do {
                let text = try await Commands.exportRegister(config: try store.config(), organisation: org, from: from, to: to, format: format, set: set)
                FileHandle.standardOutput.write(Data(text.utf8))
            } catch { throw fail(error) }
        }
    }
}
