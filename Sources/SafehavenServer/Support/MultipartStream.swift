import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// Reads a `multipart/form-data` body as it arrives and hands each part to a sink without ever
/// holding a whole file: headers first, then body chunks, then the end of the part.
struct MultipartStream {
    /// A part's headers, parsed.
    struct PartHeaders {
        var name: String?
        var filename: String?
        var contentType: String?
    }

    let boundary: String

    /// Extracts and checks the boundary: 1 to 70 characters from RFC 2046's set.
    static func boundary(fromContentType header: String?) throws -> String {
        guard let header else {
            throw SafehavenError.badRequest("malformed_multipart", "Send the share as multipart/form-data.")
        }
        let pieces = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else {
            throw SafehavenError.badRequest("malformed_multipart", "Send the share as multipart/form-data.")
        }
        for piece in pieces.dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, kv[0].lowercased() == "boundary" else { continue }
            var value = kv[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ")
            guard (1...70).contains(value.count), value.allSatisfy({ allowed.contains($0) }), !value.hasSuffix(" ") else {
                throw SafehavenError.badRequest("malformed_multipart", "The multipart boundary must be 1 to 70 plain characters.")
            }
            return value
        }
        throw SafehavenError.badRequest("malformed_multipart", "The Content-Type has no multipart boundary.")
    }

    /// Feeds the body through the parser, calling `onPart` with each part's headers and a stream of
    /// its body. `onPart` must consume the bytes it is given before returning from each call.
    func run(body: RequestBody, sink: PartSink) async throws {
        var reader = MultipartReader(boundary: boundary)
        var headers = PartHeaders()
        var inPart = false
        var bodyStarted = false
        var completedParts = 0
        var bytesWithoutProgress = 0
        for try await buffer in body {
            let events = try reader.feed(buffer)
            bytesWithoutProgress += buffer.readableBytes
            for event in events {
                switch event {
                case .header(let name, let value):
                    inPart = true
                    bytesWithoutProgress = 0
                    Self.apply(header: name, value: value, to: &headers)
                case .body(let chunk):
                    inPart = true
                    bytesWithoutProgress = 0
                    if !bodyStarted {
                        bodyStarted = true
                        try await sink.begin(headers)
                    }
                    try await sink.body(chunk)
                case .partComplete:
                    bytesWithoutProgress = 0
                    if !bodyStarted { try await sink.begin(headers) }
                    try await sink.end()
                    completedParts += 1
                    headers = PartHeaders()
                    inPart = false
                    bodyStarted = false
                }
            }
            // Headers and preamble are small; megabytes of them are an attack on memory.
            if bytesWithoutProgress > 1024 * 1024 {
                throw MultipartReader.headersTooLong
            }
        }
        guard reader.isComplete, !inPart, completedParts > 0 else {
            throw SafehavenError.badRequest("malformed_multipart", "The multipart body ended before its closing boundary.")
        }
    }

    static func apply(header name: String, value: String, to headers: inout PartHeaders) {
        switch name.lowercased() {
        case "content-disposition":
            let params = parseParameters(value)
            headers.name = params["name"]
            if let star = params["filename*"], let decoded = decodeRFC5987(star) {
                headers.filename = decoded
            } else if let plain = params["filename"] {
                headers.filename = plain
            }
        case "content-type":
            headers.contentType = value
        default:
            break
        }
    }

    /// Parameters of a header value such as `form-data; name="file"; filename="a b.txt"`.
    static func parseParameters(_ value: String) -> [String: String] {
        var out: [String: String] = [:]
        var chars = Array(value)[...]
        // Skip the disposition type.
        while let c = chars.first, c != ";" { chars = chars.dropFirst() }
        while !chars.isEmpty {
            chars = chars.drop { $0 == ";" || $0 == " " || $0 == "\t" }
            var key = ""
            while let c = chars.first, c != "=", c != ";" { key.append(c); chars = chars.dropFirst() }
            guard chars.first == "=" else { continue }
            chars = chars.dropFirst()
            var val = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                while let c = chars.first, c != "\"" {
                    if c == "\\", chars.count > 1 {
                        chars = chars.dropFirst()
                        val.append(chars.first!)
                    } else {
                        val.append(c)
                    }
                    chars = chars.dropFirst()
                }
                chars = chars.dropFirst()
            } else {
                while let c = chars.first, c != ";" { val.append(c); chars = chars.dropFirst() }
                val = val.trimmingCharacters(in: .whitespaces)
            }
            out[key.trimmingCharacters(in: .whitespaces).lowercased()] = val
        }
        return out
    }

    /// `UTF-8''na%C3%AFve.txt` → `naïve.txt`.
    static func decodeRFC5987(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        return String(parts[2]).removingPercentEncoding
    }
}

/// Receives parts from `MultipartStream`.
protocol PartSink: AnyObject {
    func begin(_ headers: MultipartStream.PartHeaders) async throws
    func body(_ chunk: ByteBuffer) async throws
    func end() async throws
}
