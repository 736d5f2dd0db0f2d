import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SafehavenCore

/// A streaming `multipart/form-data` reader (RFC 2046 section 5.1, RFC 7578), fed the body as it
/// arrives. It holds at most one header line or one delimiter's worth of body bytes, whatever the
/// size of a part, and every malformed input is an error it throws, never a trap: this is the first
/// code that sees an uploader's bytes.
public struct MultipartReader {
    public enum Event: Equatable, Sendable {
        case header(String, String)
        case body(ByteBuffer)
        case partComplete
    }

    public enum State: Equatable, Sendable { case preamble, afterDelimiter, headers, body, epilogue }

    /// Limits on what is not content: a preamble, one header line, the headers of one part.
    static let maxPreamble = 64 * 1024
    static let maxHeaderLine = 16 * 1024
    static let maxHeadersPerPart = 32

    public private(set) var state = State.preamble
    /// `CRLF--boundary`; the body is read as if it began with CRLF, so the first boundary matches too.
    private let delimiter: [UInt8]
    /// Bytes received but not yet resolved (a header line in progress, or a possible delimiter).
    private var pending: [UInt8] = Array("\r\n".utf8)
    private var skippedPreamble = 0
    private var headersInPart = 0

    public init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    public var isComplete: Bool { state == .epilogue }

    /// Takes the next piece of the body and returns what it completes.
    public mutating func feed(_ bytes: ByteBuffer) throws -> [Event] {
        guard state != .epilogue else { return [] }
        pending.append(contentsOf: bytes.readableBytesView)
        var events: [Event] = []
        var progress = true
        while progress {
            progress = try step(into: &events)
        }
        return events
    }

    /// Handles as much of `pending` as the current state can; false when it needs more bytes.
    private mutating func step(into events: inout [Event]) throws -> Bool {
        switch state {
        case .preamble:
            if let at = find(delimiter) {
                skippedPreamble += at
                try checkPreamble()
                pending.removeFirst(at + delimiter.count)
                state = .afterDelimiter
                return true
            }
            let keep = delimiter.count - 1
            if pending.count > keep {
                skippedPreamble += pending.count - keep
                pending.removeFirst(pending.count - keep)
            }
            try checkPreamble()
            return false
        case .afterDelimiter:
            // Optional transport padding, then CRLF (a part follows) or "--" (the last boundary).
            var index = 0
            while index < pending.count, pending[index] == 0x20 || pending[index] == 0x09 { index += 1 }
            guard pending.count >= index + 2 else {
                guard index <= 256 else { throw Self.malformed }
                return false
            }
            if pending[index] == 0x2D, pending[index + 1] == 0x2D {
                state = .epilogue
                pending = []
                return false
            }
            guard pending[index] == 0x0D, pending[index + 1] == 0x0A else { throw Self.malformed }
            pending.removeFirst(index + 2)
            state = .headers
            headersInPart = 0
            return true
        case .headers:
            guard let end = find([0x0D, 0x0A]) else {
                guard pending.count <= Self.maxHeaderLine else { throw Self.headersTooLong }
                return false
            }
            guard end <= Self.maxHeaderLine else { throw Self.headersTooLong }
            let line = Array(pending[..<end])
            pending.removeFirst(end + 2)
            if line.isEmpty {
                state = .body
                return true
            }
            headersInPart += 1
            guard headersInPart <= Self.maxHeadersPerPart else { throw Self.headersTooLong }
            events.append(try Self.header(line))
            return true
        case .body:
            if let at = find(delimiter) {
                if at > 0 { events.append(.body(ByteBuffer(bytes: pending[..<at]))) }
                events.append(.partComplete)
                pending.removeFirst(at + delimiter.count)
                state = .afterDelimiter
                return true
            }
            // Everything but a possible start of the delimiter is content.
            let safe = pending.count - (delimiter.count - 1)
            if safe > 0 {
                events.append(.body(ByteBuffer(bytes: pending[..<safe])))
                pending.removeFirst(safe)
            }
            return false
        case .epilogue:
            pending = []
            return false
        }
    }

    /// `Name: value`. Names are RFC 9110 tokens (ASCII only); values are UTF-8 (browsers send file
    /// names that way) without NUL or line breaks. Other control characters pass: file names are
    /// made safe later, by `FileName`.
    static func header(_ line: [UInt8]) throws -> Event {
        guard let colon = line.firstIndex(of: 0x3A), colon > 0 else { throw malformed }
        let tokenSymbols: Set<UInt8> = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in line[..<colon] {
            let isAlphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            guard isAlphanumeric || tokenSymbols.contains(byte) else { throw malformed }
        }
        let rawValue = line[(colon + 1)...]
        guard !rawValue.contains(where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) else { throw malformed }
        guard let value = String(bytes: rawValue, encoding: .utf8) else { throw malformed }
        return .header(String(decoding: line[..<colon], as: UTF8.self), value.trimmingCharacters(in: .whitespaces))
    }

    /// First index of `needle` in `pending`, if any.
    private func find(_ needle: [UInt8]) -> Int? {
        guard pending.count >= needle.count else { return nil }
        let first = needle[0]
        return pending.withUnsafeBufferPointer { haystack -> Int? in
            guard let base = haystack.baseAddress else { return nil }
            var start = 0
            let last = haystack.count - needle.count
            while start <= last {
                // memchr finds candidates at memory speed; random content has a CR every 256 bytes.
                guard let found = memchr(base + start, Int32(first), last - start + 1) else { return nil }
                let hit = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var matched = true
                for offset in 1..<needle.count where haystack[hit + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return hit }
                start = hit + 1
            }
            return nil
        }
    }

    private func checkPreamble() throws {
        guard skippedPreamble <= Self.maxPreamble else { throw Self.malformed }
    }

    static let malformed = SafehavenError.badRequest("malformed_multipart", "The multipart body could not be read.")
    static let headersTooLong = SafehavenError.badRequest("malformed_multipart", "The multipart headers are too long.")
}
