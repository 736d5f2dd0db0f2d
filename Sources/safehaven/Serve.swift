import ArgumentParser
import Foundation
import SafehavenCLI
import SafehavenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service (creates the data directory, keys and first administrator on first run).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0 picks a free one).") var port: Int?

    func run() async throws {
        do {
            try await Commands.serve(config: try store.config(host: host, port: port))
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
