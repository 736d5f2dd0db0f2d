import ArgumentParser
import Foundation
import SafehavenCLI
import SafehavenServer

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the installation's keys.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-wrap every data key and secret under a new key-encryption key (blobs untouched; run again to resume).",
            discussion: "Stop the service first, or run again until it reports nothing left. With SAFEHAVEN_MASTER_KEY set, give the new key in SAFEHAVEN_NEW_MASTER_KEY.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            do { print(try await Commands.rotateKeys(config: try store.config())) } catch { throw fail(error) }
        }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Make a consistent backup of a running installation (database snapshot and sealed files).")
    @OptionGroup var store: StoreOptions
    @Option(help: "New or empty directory for the backup.") var out: String
    @Option(name: .customLong("keys-out"), help: "Also copy the keys, into this separate directory (never inside --out).") var keysOut: String?

    func run() async throws {
        do { print(try await Commands.backup(config: try store.config(), out: out, keysOut: keysOut)) } catch { throw fail(error) }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup into a new data directory (and an empty PostgreSQL database, for one).")
    @OptionGroup var store: StoreOptions
    @Option(help: "The backup directory.") var from: String
    @Option(name: .customLong("keys-from"), help: "Directory holding the keys copied with --keys-out.") var keysFrom: String?

    func run() async throws {
        do { print(try await Commands.restore(config: try store.config(), from: from, keysFrom: keysFrom)) } catch { throw fail(error) }
    }
}
