import ArgumentParser
import Foundation
import SafehavenCore
import SafehavenCLI
import SafehavenServer

struct Org: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage organisations.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an organisation; prints its id alone on stdout.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Organisation name.") var name: String
        @Option(name: .customLong("domain"), parsing: .upToNextOption, help: "Email domain(s) its staff use.") var domains: [String]
        @Option(help: "Published switchboard number.") var switchboard: String = ""
        @Option(help: "Postal address.") var address: String = ""

        func run() async throws {
            do {
                print(try await Commands.addOrganisation(config: try store.config(), name: name, domains: domains,
                                                         switchboard: switchboard, address: address))
            } catch {
                throw fail(error)
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; prints a generated password unless --password-stdin is given.")
        @OptionGroup var store: StoreOptions
        @Option var email: String
        @Option var name: String
        @Option(help: "Organisation id or one of its domains.") var org: String
        @Option(name: .customLong("job-title")) var jobTitle: String
        @Option var phone: String
        @Option var department: String = ""
        @Option(name: .customLong("role"), help: "practitioner, manager, ig-officer or admin (repeatable).") var roles: [String] = []
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false

        func run() async throws {
            do {
                var password: String?
                if passwordStdin {
                    guard let line = readLine(strippingNewline: true) else { throw ConfigError("no password on standard input") }
                    password = line
                }
                let parsedRoles = try roles.map { raw -> Role in
                    guard let role = Role(rawValue: raw.lowercased()) else {
                        throw ConfigError("unknown role '\(raw)': use practitioner, manager, ig-officer or admin")
                    }
                    return role
                }
                let (user, generated) = try await Commands.addUser(config: try store.config(), input: .init(
                    email: email, name: name, organisation: org, jobTitle: jobTitle, department: department, phone: phone,
                    roles: parsedRoles.isEmpty ? [.practitioner] : parsedRoles, password: password))
                if let generated {
                    print(generated)
                    FileHandle.standardError.write(Data("Created \(user.email) (\(user.id)). The password above is shown once.\n".utf8))
                } else {
                    print(user.id)
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for a user; prints only the token.")
        @OptionGroup var store: StoreOptions
        @Option var email: String
        @Option(name: .customLong("expires-in-days")) var expiresInDays: Int?

        func run() async throws {
            do {
                print(try await Commands.createToken(config: try store.config(), email: email, days: expiresInDays))
            } catch {
                throw fail(error)
            }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Prove the audit chain is intact; names the first bad event otherwise.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let outcome: (String, Bool)
            do {
                outcome = try await Commands.verifyAudit(config: try store.config())
            } catch {
                throw fail(error)
            }
            print(outcome.0)
            if !outcome.1 { throw ExitCode(1) }
        }
    }
}
