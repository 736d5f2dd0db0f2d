import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit

/// PostgreSQL through a pooled `PostgresClient`; several stateless instances can share one server.
public final class PostgresBackend: DatabaseBackend, Sendable {
    public let isPostgres = true
    let client: PostgresClient
    /// The URL as given, for the PostgreSQL tools (`pg_dump`, `pg_restore`).
    let url: String
    private let runner: Task<Void, Never>
    private let logger: Logger

    public init(url: String, logger: Logger) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StorageError.badDatabaseURL("cannot read host from the PostgreSQL URL")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let query = components.queryItems ?? []
        let tls = try PostgresTLSPolicy.decide(host: host, sslmode: query.first(where: { $0.name == "sslmode" })?.value,
                                               rootCertificate: query.first(where: { $0.name == "sslrootcert" })?.value,
                                               allowInsecure: query.first(where: { $0.name == "allow_insecure" })?.value == "1")
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.url = url
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    public func withSession<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql())
        }
    }

    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await runTransaction(on: connection.sql(), begin: "BEGIN", body)
        }
    }

    /// Vacuums the secrets table so dead tuples of destroyed keys are removed (VACUUM cannot run
    /// inside a transaction, so it has a session of its own).
    public func reclaimDeleted() async throws {
        try await withSession { db in try await db.raw("VACUUM share_secrets").run() }
    }

    public func snapshot(to path: String) async throws {
        try PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", path], url: url)
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }
}

/// How the connection to PostgreSQL is protected. On the same machine (loopback) anything goes;
/// to any other host the connection must use TLS with the server's certificate verified against
/// the system's trust store or `sslrootcert`, unless the URL says `allow_insecure=1` (then
/// `sslmode=disable|prefer|require` are honoured, and the start-up log says so).
public enum PostgresTLSPolicy {
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.") || h.hasPrefix("/")
    }

    public static func decide(host: String, sslmode: String?, rootCertificate: String?, allowInsecure: Bool)
        throws -> PostgresClient.Configuration.TLS {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.certificateVerification = .fullVerification
        if let rootCertificate {
            guard FileManager.default.isReadableFile(atPath: rootCertificate) else {
                throw StorageError.badDatabaseURL("sslrootcert \(rootCertificate) cannot be read")
            }
            tlsConfiguration.trustRoots = .file(rootCertificate)
        }
        let mode = sslmode ?? (isLoopback(host) ? "prefer" : "verify-full")
        let verified = mode == "verify-full" || mode == "verify-ca"
        if !isLoopback(host) && !verified && !allowInsecure {
            throw StorageError.badDatabaseURL(
                "a PostgreSQL server on another host (\(host)) needs sslmode=verify-full (the default) so the connection is encrypted "
                    + "and the server's certificate is checked; add allow_insecure=1 to the URL only if the network between them is trusted")
        }
        switch mode {
        case "disable": return .disable
        case "verify-full", "verify-ca": return .require(tlsConfiguration)
        case "require":
            var relaxed = tlsConfiguration
            relaxed.certificateVerification = isLoopback(host) || allowInsecure ? .none : .fullVerification
            return .require(relaxed)
        case "prefer", "allow":
            var relaxed = tlsConfiguration
            relaxed.certificateVerification = .none
            return .prefer(relaxed)
        default:
            throw StorageError.badDatabaseURL("unknown sslmode \(mode)")
        }
    }
}

/// PostgreSQL's own tools, given the connection in the environment (never on a command line where
/// other users could read the password).
public enum PostgresTools {
    public static func run(_ tool: String, _ arguments: [String], url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw StorageError.badDatabaseURL("cannot read the PostgreSQL URL")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = host
        environment["PGPORT"] = String(components.port ?? 5432)
        environment["PGUSER"] = components.user ?? "postgres"
        environment["PGPASSWORD"] = components.password?.removingPercentEncoding ?? ""
        environment["PGDATABASE"] = String(components.path.dropFirst())
        let query = components.queryItems ?? []
        environment["PGSSLMODE"] = query.first { $0.name == "sslmode" }?.value ?? (PostgresTLSPolicy.isLoopback(host) ? "prefer" : "verify-full")
        if let root = query.first(where: { $0.name == "sslrootcert" })?.value { environment["PGSSLROOTCERT"] = root }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [try locate(tool)] + arguments
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StorageError.migrationFailed("\(tool) failed: \(String(decoding: message, as: UTF8.self).prefix(400))")
        }
    }

    /// The newest installed version of a tool (it must not be older than the server).
    static func locate(_ tool: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let path = "/usr/lib/postgresql/\(version)/bin/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return tool
    }
}
