import Foundation
import NIOCore
import NIOPosix
import SafehavenCore

/// ClamAV's daemon over its INSTREAM command: `zINSTREAM\0`, then the file as chunks each prefixed
/// by its length (4 bytes, big-endian), then a zero length; clamd answers `stream: OK\0`,
/// `stream: NAME FOUND\0`, or an error such as `INSTREAM size limit exceeded. ERROR\0`. Each
/// chunk is written only once the previous one has gone, so a slow scanner slows the upload
/// rather than filling memory.
struct ClamdScanner: MalwareScanner {
    enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)

        /// `host:port` or `unix:/path/to/clamd.ctl`.
        static func parse(_ raw: String) -> Address? {
            if raw.hasPrefix("unix:") {
                let path = String(raw.dropFirst(5))
                return path.hasPrefix("/") ? .unix(path: path) : nil
            }
            guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
            let host = String(raw[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return host.isEmpty ? nil : .tcp(host: host, port: port)
        }
    }

    let address: Address
    /// The longest wait for clamd to answer once the file has been sent.
    var verdictTimeout: TimeAmount = .seconds(120)

    func begin() async throws -> any MalwareScan {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: String.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ClamdReplyHandler(reply: promise)) }
            }
        let channel: any NIOCore.Channel
        do {
            switch address {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
            case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            promise.fail(MalwareScannerUnavailable("cannot connect"))
            throw MalwareScannerUnavailable("cannot connect: \(type(of: error))")
        }
        let scan = ClamdScan(channel: channel, reply: promise.futureResult, timeout: verdictTimeout)
        try await scan.send(Array("zINSTREAM\0".utf8), framed: false)
        return scan
    }
}

final class ClamdScan: MalwareScan {
    let channel: any NIOCore.Channel
    let reply: EventLoopFuture<String>
    let timeout: TimeAmount
    /// clamd refuses chunks over its own limit; files are cut to this size.
    static let chunk = 64 * 1024

    init(channel: any NIOCore.Channel, reply: EventLoopFuture<String>, timeout: TimeAmount) {
        self.channel = channel
        self.reply = reply
        self.timeout = timeout
    }

    func send(_ bytes: [UInt8], framed: Bool = true) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count + 4)
        if framed { buffer.writeInteger(UInt32(bytes.count), endianness: .big) }
        buffer.writeBytes(bytes)
        do { try await channel.writeAndFlush(buffer).get() } catch {
            // clamd closes the connection when it stops reading (size limit): its reply says why.
            let said = try? await reply.get()
            throw MalwareScannerUnavailable(said.map { "clamd: \($0.prefix(80))" } ?? "connection lost")
        }
    }

    func feed(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Self.chunk, bytes.count)
            try await send(Array(bytes[offset..<end]))
            offset = end
        }
    }

    func finish() async throws -> MalwareVerdict {
        try await send([])
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { [channel] in channel.close(promise: nil) }
        defer { deadline.cancel(); channel.close(promise: nil) }
        let answer: String
        do { answer = try await reply.get() } catch { throw MalwareScannerUnavailable("no answer") }
        return try Self.verdict(answer)
    }

    /// `stream: OK`, `stream: NAME FOUND`; anything else means no verdict.
    static func verdict(_ answer: String) throws -> MalwareVerdict {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasSuffix(" OK"), text.hasPrefix("stream:") { return .clean }
        if text.hasPrefix("stream: "), text.hasSuffix(" FOUND") {
            let name = text.dropFirst("stream: ".count).dropLast(" FOUND".count)
            return .infected(signature: String(name.prefix(200)))
        }
        throw MalwareScannerUnavailable("clamd: \(text.prefix(80))")
    }

    func cancel() {
        channel.close(promise: nil)
    }
}

/// Collects clamd's answer up to its terminating NUL (or the end of the connection).
final class ClamdReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let reply: EventLoopPromise<String>
    private var bytes: [UInt8] = []
    private var done = false

    init(reply: EventLoopPromise<String>) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !done, let read = buffer.readBytes(length: buffer.readableBytes) else { return }
        bytes += read.prefix(4096 - min(bytes.count, 4096))
        if let end = bytes.firstIndex(of: 0) { settle(String(decoding: bytes[..<end], as: UTF8.self)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if bytes.isEmpty { fail(MalwareScannerUnavailable("closed without an answer")) } else { settle(String(decoding: bytes, as: UTF8.self)) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(MalwareScannerUnavailable("connection error"))
        context.close(promise: nil)
    }

    private func settle(_ answer: String) {
        guard !done else { return }
        done = true
        reply.succeed(answer)
    }

    private func fail(_ error: Error) {
        guard !done else { return }
        done = true
        reply.fail(error)
    }
}

/// What tests may ask of the clamd client without a daemon: how answers and addresses are read.
public enum ClamdScanVerdict {
    public static func parse(_ answer: String) throws -> MalwareVerdict { try ClamdScan.verdict(answer) }
    public static func address(_ raw: String) -> Bool { ClamdScanner.Address.parse(raw) != nil }
}
