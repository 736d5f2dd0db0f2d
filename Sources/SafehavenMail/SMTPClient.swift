import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Our own SMTP submission client on SwiftNIO, small on purpose. It follows:
/// - RFC 5321 (SMTP): greeting, EHLO, MAIL FROM, RCPT TO, DATA with dot-stuffing (§4.5.2), RSET,
///   QUIT; multi-line replies (§4.2.1); 4yz replies are temporary, 5yz permanent (§4.2.1);
///   the receiver is responsible for a message once it has answered 250 to the final dot (§6.1).
/// - RFC 3207 (STARTTLS), with certificate verification on; RFC 1870 (SIZE); RFC 4954 with
///   RFC 4616 (AUTH PLAIN) and the LOGIN mechanism that older relays still offer.
/// - Messages are 7-bit (quoted-printable bodies, RFC 2045), so 8BITMIME is never needed.
/// One connection carries a whole batch; each message gets its own outcome.
public struct SMTPClient: Sendable {
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Refuse a relay that does not offer STARTTLS (the default).
        case required
        /// Use STARTTLS when offered.
        case optional
        /// Never (a relay on the same host or a test peer).
        case none
    }

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var startTLS: StartTLS
        public var username: String?
        public var password: String?
        /// PEM file of the CA that signed a private relay's certificate; the system's roots otherwise.
        public var caFile: String?
        /// The name we give in EHLO.
        public var heloName: String
        /// The longest silence from the relay while a reply is due.
        public var replyTimeout: TimeAmount

        public init(host: String, port: Int = 587, startTLS: StartTLS = .required, username: String? = nil, password: String? = nil,
                    caFile: String? = nil, heloName: String = "localhost", replyTimeout: TimeAmount = .seconds(60)) {
            self.host = host
            self.port = port
            self.startTLS = startTLS
            self.username = username
            self.password = password
            self.caFile = caFile
            self.heloName = heloName
            self.replyTimeout = replyTimeout
        }
    }

    /// What became of one message.
    public enum Outcome: Sendable, Equatable {
        /// The relay took responsibility for it (250 after the final dot).
        case accepted
        /// Try again later (4yz, or the connection failed before the relay answered).
        case temporary(String)
        /// Never try again (5yz).
        case permanent(String)
    }

    public let settings: Settings
    public init(_ settings: Settings) { self.settings = settings }

    /// Sends every message over one connection, in order. A failure to connect, a refusal of the
    /// connection or an unusable relay is thrown (every message is then temporary or, for a
    /// relay refusing STARTTLS when required, permanent until the settings change).
    /// `settled` is called with each message's outcome as soon as the relay has answered, so a
    /// caller can record an acceptance before the next message goes.
    public func send(_ messages: [(envelopeFrom: String, message: MailMessage)],
                     settled: @escaping @Sendable (Int, Outcome) async -> Void = { _, _ in }) async throws -> [Outcome] {
        let settings = self.settings
        let tls: NIOSSLContext? = settings.startTLS == .none ? nil : try Self.tlsContext(caFile: settings.caFile)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(30))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: settings.replyTimeout),
                        ReplyTimeoutHandler(),
                        ByteToMessageHandler(SMTPReplyDecoder()),
                    ])
                    return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(settings: settings, channel: channel.channel, replies: inbound.makeAsyncIterator(), writer: outbound)
            return try await session.run(messages, tls: tls, settled: settled)
        }
    }

    static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// A reply: its three-digit code and its lines' text.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]
    public var text: String { "\(code) " + lines.joined(separator: " / ") }
    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTemporary: Bool { (400..<500).contains(code) }
}

public enum SMTPError: Error, Equatable, CustomStringConvertible {
    case timeout
    case malformedReply
    case closed
    case refused(SMTPReply)
    case startTLSUnavailable
    case authenticationUnavailable

    public var description: String {
        switch self {
        case .timeout: return "the relay did not answer in time"
        case .malformedReply: return "the relay's reply was not SMTP"
        case .closed: return "the relay closed the connection"
        case .refused(let reply): return "the relay refused: \(reply.text)"
        case .startTLSUnavailable: return "the relay does not offer STARTTLS, which the settings require"
        case .authenticationUnavailable: return "the relay offers neither AUTH PLAIN nor AUTH LOGIN over TLS"
        }
    }

    /// Whether waiting and trying again could help.
    public var isTemporary: Bool {
        switch self {
        case .refused(let reply): return reply.isTemporary
        case .startTLSUnavailable, .authenticationUnavailable: return false
        default: return true
        }
    }
}

/// Reads replies: lines `NNN-text` continue, `NNN text` (or `NNN`) ends one (RFC 5321 §4.2.1).
/// A line longer than 4 KB or a reply of more than 100 lines is not SMTP. Pure, so it is fuzzed.
public struct SMTPReplyParser: Sendable {
    private var lines: [String] = []
    private var code: Int?
    public static let maxLine = 4096

    public init() {}

    /// One line without its line end; a reply when it was the last line of one.
    public mutating func line(_ bytes: [UInt8]) throws -> SMTPReply? {
        guard bytes.count >= 3, bytes.count <= Self.maxLine, let value = Int(String(decoding: bytes[0..<3], as: UTF8.self)),
              (200..<600).contains(value), bytes[0..<3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else { throw SMTPError.malformedReply }
        if let code, code != value { throw SMTPError.malformedReply }
        code = value
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= 100 else { throw SMTPError.malformedReply }
        guard bytes.count == 3 || bytes[3] == UInt8(ascii: " ") else { return nil }
        defer { lines = []; code = nil }
        return SMTPReply(code: value, lines: lines)
    }

    /// Every whole reply in the bytes (lines end LF, with or without CR).
    public static func parse(_ data: [UInt8]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            var line = Array(raw)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let reply = try parser.line(line) { replies.append(reply) }
        }
        return replies
    }
}

/// The parser on a channel: one reply at a time to whoever waits for it.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var parser = SMTPReplyParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > SMTPReplyParser.maxLine { throw SMTPError.malformedReply }
            return .needMoreData
        }
        var bytes = buffer.readBytes(length: end - buffer.readerIndex + 1) ?? []
        // Bytes, not characters: to Swift "\r\n" is one character.
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        if let reply = try parser.line(bytes) { context.fireChannelRead(NIOAny(reply)) }
        return .continue
    }
}

/// Turns a long silence from the relay into an error that ends the wait for its reply.
final class ReplyTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(SMTPError.timeout)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
