import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// JSON in and out, with clear errors for bad bodies.
public enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// Reads a JSON body into `T`; every failure becomes a stable error code.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw SafehavenError.badRequest("malformed_json", "The request body must be a JSON object.") }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw SafehavenError.invalid(snake(key.stringValue), "The field '\(key.stringValue)' is required.")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).filter { Int($0) == nil }.last ?? "body"
            throw SafehavenError.invalid(snake(field), "The field '\(field)' has the wrong type.")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            let field = context.codingPath.map(\.stringValue).filter { Int($0) == nil }.last ?? "body"
            throw SafehavenError.invalid(snake(field), "The field '\(field)' has a value that is not allowed.")
        } catch {
            throw SafehavenError.badRequest("malformed_json", "The request body is not valid JSON.")
        }
    }

    static func snake(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

/// An empty JSON object for responses that only confirm.
struct Empty: Codable {}
