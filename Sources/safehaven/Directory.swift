import ArgumentParser
import Foundation
import SafehavenCore
import SafehavenCLI
import SafehavenServer

struct Org: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage organisations.", subcommands: [Add.self, Pattern.self])

    struct Pattern: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An organisation's own identifiers (hospital numbers, case references) for the subject checks.",
            subcommands: [PatternAdd.self, PatternRemove.self, PatternList.self])
    }

    struct PatternAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add or replace a pattern (a regular expression).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Organisation id or one of its domains.") var org: String
        @Option(help: "What the identifier is called, e.g. \"Hospital number\".") var name: String
        @Option(help: "Regular expression for it, e.g. RJ7[0-9]{7}.") var pattern: String
        func run() async throws {
            do { print(try await Commands.setPattern(config: try store.config(), org: org, name: name, pattern: pattern)) } catch { throw fail(error) }
        }
    }

    struct PatternRemove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a pattern by name.")
        @OptionGroup var store: StoreOptions
        @Option var org: String
        @Option var name: String
        func run() async throws {
            do { print(try await Commands.removePattern(config: try store.config(), org: org, name: name)) } catch { throw fail(error) }
        }
    }

    struct PatternList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List an organisation's patterns.")
        @OptionGroup var store: StoreOptions
        @Option var org: String
        func run() async throws {
            do { print(try await Commands.listPatterns(config: try store.config(), org: org)) } catch { throw fail(error) }
        }
    }

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
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.",
                                                    subcommands: [Add.self, Disable.self, Enable.self, ResetTOTP.self])

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account; its sessions and tokens end at once.")
        @OptionGroup var store: StoreOptions
        @Option var email: String
        func run() async throws {
            do { print(try await Commands.changeUser(config: try store.config(), email: email, action: .disable)) } catch { throw fail(error) }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")
        @OptionGroup var store: StoreOptions
        @Option var email: String
        func run() async throws {
            do { print(try await Commands.changeUser(config: try store.config(), email: email, action: .enable)) } catch { throw fail(error) }
        }
    }

    struct ResetTOTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-totp", abstract: "Remove a user's second factor (a lost phone).")
        @OptionGroup var store: StoreOptions
        @Option var email: String
        func run() async throws {
            do { print(try await Commands.changeUser(config: try store.config(), email: email, action: .resetTOTP)) } catch { throw fail(error) }
        }
    }

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
    static let configuration = CommandConfiguration(abstract: "Check, export and checkpoint the audit trail.",
                                                    subcommands: [Verify.self, Export.self, Checkpoint.self, PublicKey.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove the audit chain is intact; names the first bad event otherwise.",
            discussion: "With --export, checks an export file on any machine using the public key alone.")
        @OptionGroup var store: StoreOptions
        @Option(help: "An export written by `audit export`, checked without opening any data directory.") var export: String?
        @Option(name: .customLong("public-key"), help: "The audit public key (hex, or a file holding it) you trust.") var publicKey: String?
        @Option(name: .customLong("checkpoint"), help: "A published checkpoint count:headhash:signature the chain must still contain.")
        var checkpoints: [String] = []

        func run() async throws {
            let outcome: (String, Bool)
            do {
                if let export {
                    outcome = try Commands.verifyAuditExport(file: export, publicKey: publicKey, published: checkpoints)
                } else {
                    outcome = try await Commands.verifyAudit(config: try store.config(), published: checkpoints)
                }
            } catch {
                throw fail(error)
            }
            print(outcome.0)
            if !outcome.1 { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the chain, its checkpoints and the public key as JSON lines.")
        @OptionGroup var store: StoreOptions
        @Option(help: "File to write (owner-only).") var out: String

        func run() async throws {
            do { print(try await Commands.exportAudit(config: try store.config(), out: out)) } catch { throw fail(error) }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a checkpoint over the chain now and print it to publish (count:headhash:signature).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            do { print(try await Commands.auditCheckpoint(config: try store.config())) } catch { throw fail(error) }
        }
    }

    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "public-key", abstract: "Print the audit public key (hex).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            do { print(try await Commands.auditPublicKey(config: try store.config())) } catch { throw fail(error) }
        }
    }
}
