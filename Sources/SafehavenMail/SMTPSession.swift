import Foundation
import NIOCore
import NIOSSL

/// One conversation with a relay: greeting, EHLO, STARTTLS and EHLO again, AUTH, then each
/// message, then QUIT.
struct SMTPSession {
    let settings: SMTPClient.Settings
    let channel: Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var capabilities: [String] = []

    init(settings: SMTPClient.Settings, channel: Channel, replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator,
         writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.settings = settings
        self.channel = channel
        self.replies = replies
        self.writer = writer
    }

    mutating func reply() async throws -> SMTPReply {
        do {
            guard let reply = try await replies.next() else { throw SMTPError.closed }
            return reply
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError.closed
        }
    }

    /// Sends one command line and reads its reply.
    mutating func command(_ line: String) async throws -> SMTPReply {
        try await writer.write(ByteBuffer(string: line + "\r\n"))
        return try await reply()
    }

    /// A command that must succeed for the conversation to go on.
    mutating func expect(_ line: String) async throws -> SMTPReply {
        let answer = try await command(line)
        guard answer.isPositive else { throw SMTPError.refused(answer) }
        return answer
    }

    mutating func hello() async throws {
        let answer = try await expect("EHLO \(settings.heloName)")
        // The first line is the relay's name; each further line a capability (RFC 5321 §4.1.1.1).
        capabilities = answer.lines.dropFirst().map { $0.uppercased() }
    }

    func offers(_ keyword: String) -> Bool { capabilities.contains { $0 == keyword || $0.hasPrefix(keyword + " ") } }

    var sizeLimit: Int? {
        capabilities.first { $0.hasPrefix("SIZE ") }.flatMap { Int($0.dropFirst(5).trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil }
    }

    mutating func run(_ messages: [(envelopeFrom: String, message: MailMessage)], tls: NIOSSLContext?,
                      settled: @Sendable (Int, SMTPClient.Outcome) async -> Void) async throws -> [SMTPClient.Outcome] {
        let greeting = try await reply()
        guard greeting.code == 220 else { throw SMTPError.refused(greeting) }
        try await hello()
        var secured = false
        if settings.startTLS != .none, let tls {
            if offers("STARTTLS") {
                _ = try await expect("STARTTLS")
                let host = settings.host
                let channel = self.channel
                try await channel.eventLoop.submit {
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: Self.isAddress(host) ? nil : host)
                    try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                }.get()
                // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
                try await hello()
                secured = true
            } else if settings.startTLS == .required {
                throw SMTPError.startTLSUnavailable
            }
        }
        if let username = settings.username, let password = settings.password {
            // A password goes in clear only when the operator said there is no TLS at all.
            guard secured || settings.startTLS == .none else { throw SMTPError.authenticationUnavailable }
            try await authenticate(username, password)
        }
        var outcomes: [SMTPClient.Outcome] = []
        for (index, (from, message)) in messages.enumerated() {
            let outcome = try await deliver(message, from: from)
            await settled(index, outcome)
            outcomes.append(outcome)
        }
        _ = try? await command("QUIT")
        return outcomes
    }

    mutating func authenticate(_ username: String, _ password: String) async throws {
        let mechanisms = capabilities.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }?.dropFirst(5).split(separator: " ").map(String.init) ?? []
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            _ = try await expect("AUTH PLAIN \(token)")
        } else if mechanisms.contains("LOGIN") {
            let start = try await command("AUTH LOGIN")
            guard start.code == 334 else { throw SMTPError.refused(start) }
            let user = try await command(Data(username.utf8).base64EncodedString())
            guard user.code == 334 else { throw SMTPError.refused(user) }
            _ = try await expect(Data(password.utf8).base64EncodedString())
        } else {
            throw SMTPError.authenticationUnavailable
        }
    }

    /// One message: its own outcome; a refusal part-way resets the transaction for the next.
    mutating func deliver(_ message: MailMessage, from: String) async throws -> SMTPClient.Outcome {
        let data = Self.dotStuffed(message.rendered())
        if let limit = sizeLimit, data.readableBytes > limit {
            return .permanent("the message is larger than the relay accepts (\(limit) bytes)")
        }
        let size = offers("SIZE") ? " SIZE=\(data.readableBytes)" : ""
        for line in ["MAIL FROM:<\(from)>\(size)", "RCPT TO:<\(message.to.email)>"] {
            let answer = try await command(line)
            if !answer.isPositive { return try await refused(answer) }
        }
        let go = try await command("DATA")
        guard go.code == 354 else { return try await refused(go) }
        try await writer.write(data)
        let done = try await reply()
        if done.code == 250 { return .accepted }
        return done.isTemporary ? .temporary(done.text) : .permanent(done.text)
    }

    mutating func refused(_ answer: SMTPReply) async throws -> SMTPClient.Outcome {
        _ = try await command("RSET")
        return answer.isTemporary ? .temporary(answer.text) : .permanent(answer.text)
    }

    /// The message with every line that starts with a dot given a second one (RFC 5321
    /// §4.5.2), then the end-of-data line.
    static func dotStuffed(_ text: String) -> ByteBuffer {
        // Bytes throughout: to Swift "\r\n" is one character, which makes counting treacherous.
        var bytes = Array(text.utf8)
        if !(bytes.count >= 2 && bytes[bytes.count - 2] == 13 && bytes[bytes.count - 1] == 10) { bytes += [13, 10] }
        var out = ByteBuffer()
        out.reserveCapacity(bytes.count + 64)
        var lineStart = true
        for byte in bytes {
            if lineStart && byte == UInt8(ascii: ".") { out.writeInteger(UInt8(ascii: ".")) }
            out.writeInteger(byte)
            lineStart = byte == 10
        }
        out.writeString(".\r\n")
        return out
    }

    static func isAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// The DATA section exactly as it goes on the wire, as text (for checks and fuzzing).
public func smtpDataSection(_ message: String) -> String {
    var buffer = SMTPSession.dotStuffed(message)
    return buffer.readString(length: buffer.readableBytes) ?? ""
}
