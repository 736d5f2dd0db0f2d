import Foundation
import SafehavenCore
import SafehavenMail
import Synchronization

extension Runtime {
    /// Where notifications go, from the configuration: the relay, or `.eml` files in `<data dir>/mail`.
    public var mailDescription: String { mailTransport.description }

    var mailTransport: any MailTransport {
        if let relay = config.mail.relay { return SMTPTransport(client: SMTPClient(relay)) }
        return FileTransport(directory: config.dataDirectory.appendingPathComponent("mail", isDirectory: true))
    }

    /// The base of every link in a notification: the public address, or where this server listens.
    static func linkBase(publicURL: String?, host: String, port: Int) -> String {
        let base = publicURL ?? "http://\(host):\(port)"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// The worker; `port` tells it where the server listens once it does (for links without a public URL).
    func outboxWorker(port: BoundPort) throws -> OutboxWorker {
        let publicURL = config.publicURL, host = config.host
        return OutboxWorker(deps: deps, transport: mailTransport,
                     renderer: MailRenderer(pages: try PageRenderer(), from: config.mail.from, kek: deps.kek,
                                            base: { Runtime.linkBase(publicURL: publicURL, host: host, port: port.value) }),
                     logger: logger, deadAfter: TimeInterval(config.mail.deadAfterHours) * 3600,
                     retryBase: TimeInterval(config.mail.retrySeconds),
                     owner: "worker-\(ProcessInfo.processInfo.processIdentifier)-\(deps.ids.next())",
                     lease: TimeInterval(config.mail.leaseSeconds))
    }
}

/// The port the server listens on, set when it starts (it may have been chosen by the system).
public final class BoundPort: Sendable {
    private let port: Mutex<Int>
    public init(_ port: Int) { self.port = Mutex(port) }
    public var value: Int { port.withLock { $0 } }
    public func set(_ value: Int) { port.withLock { $0 = value } }
}
