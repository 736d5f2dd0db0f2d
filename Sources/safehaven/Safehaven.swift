import ArgumentParser
import Foundation
import SafehavenCLI
import SafehavenCore
import SafehavenServer

/// The `safehaven` command. Each subcommand only parses its arguments into an `AppConfig` and
/// calls into SafehavenServer; no logic lives here.
@main
struct Safehaven: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safehaven",
        abstract: "Share personal information securely between organisations, on the record.",
        subcommands: [Serve.self, Migrate.self, Org.self, UserCommand.self, Token.self, Audit.self,
                      Keys.self, BackupCommand.self, RestoreCommand.self, Accredited.self,
                      Route.self, Advise.self, CheckSubject.self, CoverSheet.self, Envelope.self, Archive.self,
                      OutboxCommand.self, RegisterCommand.self])
}

/// Where the store is; every command takes these so it works on the store a running server uses.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./data or $SAFEHAVEN_DATA_DIR).")
    var dataDir: String?

    @Option(name: .customLong("database-url"), help: "postgres://… URL or SQLite path (default <data-dir>/safehaven.sqlite).")
    var databaseURL: String?

    func config(host: String? = nil, port: Int? = nil, mail: MailConfig.Overrides = .init()) throws -> AppConfig {
        try AppConfig.fromEnvironment(dataDirectory: dataDir, databaseURL: databaseURL, host: host, port: port, mail: mail)
    }
}

/// Prints a failure on stderr and exits 1 (2 for usage errors, which ArgumentParser handles).
func fail(_ error: Error, json: Bool = false) -> ExitCode {
    if json {
        // With --json every outcome is JSON, errors included (on standard output, exit 1).
        let code = (error as? SafehavenError)?.code ?? "error"
        let body = try? JSONSerialization.data(withJSONObject: ["error": ["code": code, "message": Commands.describe(error)]], options: [.sortedKeys])
        print(String(decoding: body ?? Data(), as: UTF8.self))
        return ExitCode(1)
    }
    FileHandle.standardError.write(Data("error: \(Commands.describe(error))\n".utf8))
    return ExitCode(1)
}
