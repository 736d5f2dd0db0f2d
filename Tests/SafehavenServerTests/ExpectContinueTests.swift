import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing

/// `Expect: 100-continue` over a real connection: an authenticated upload gets `100 Continue`
/// before it has sent a byte of its body; anyone else gets the final refusal and never sends it.
@Suite struct ExpectContinueTests {
    @Test(arguments: TestDatabase.available)
    func onlyAnAuthenticatedUploadIsAskedToContinue(db: TestDatabase) async throws {
        try await withAPI(db, live: true) { api, _, _ in
            let port = try #require(api.client.port)
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            var body = MultipartBody()
            body.addJSON(API.share())
            body.add(name: "file", filename: "a.pdf", contentType: "application/pdf", Data(repeating: 7, count: 2_000_000))
            let payload = body.finished()
            func head(_ token: String?) -> String {
                "POST /api/v1/shares HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(body.contentType)\r\nContent-Length: \(payload.count)\r\n"
                    + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "Expect: 100-continue\r\n\r\n"
            }
            // Signed in: the interim answer comes first, then the body goes and the share is created.
            let connection = try RawConnection(port: port)
            try connection.send(Array(head(alice).utf8))
            let interim = try connection.readHead()
            #expect(interim.hasPrefix("HTTP/1.1 100"), "\(interim)")
            try connection.send(Array(payload))
            let final = try connection.readHead()
            #expect(final.hasPrefix("HTTP/1.1 201"), "\(final)")
            // Not signed in: refused at once, never invited to send the body.
            let stranger = try RawConnection(port: port)
            try stranger.send(Array(head(nil).utf8))
            let refused = try stranger.readHead()
            #expect(refused.hasPrefix("HTTP/1.1 401"), "\(refused)")
        }
    }
}

/// A plain TCP connection for speaking HTTP by hand (reads wait at most 20 s, as a guard only).
final class RawConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard result == 0 else { throw ConfigError("cannot connect to \(port)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ConfigError("send failed") }
            offset += n
        }
    }

    /// The next response head (status line and headers); skips the body of a final response by its length.
    func readHead() throws -> String {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                if let length = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                    .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }) {
                    while buffer.count < length { try fill() }
                    buffer.removeFirst(length)
                }
                return head
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw ConfigError("connection closed or timed out") }
        buffer += chunk[..<n]
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where Array(buffer[i..<i + needle.count]) == needle { return i }
        return nil
    }
}
