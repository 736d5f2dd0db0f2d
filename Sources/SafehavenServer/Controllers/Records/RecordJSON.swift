import Foundation
import Hummingbird
import SafehavenCore

/// Records go out as their own shape, with ISO 8601 dates and sorted keys.
enum RecordJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISODate.format(date))
        }
        return encoder
    }()

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// An optional ISO 8601 date from a body field, with the field named in the error.
    static func date(_ raw: String?, field: String) throws -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let date = ISODate.parse(raw) ?? ISODate.parse(raw + "T00:00:00Z") else {
            throw SafehavenError.invalid(field, "\(field) must be a date (2026-12-01) or an ISO 8601 date and time.")
        }
        return date
    }

    static func required(_ raw: String?, field: String) throws -> Date {
        guard let date = try date(raw, field: field) else { throw SafehavenError.invalid(field, "\(field) is required.") }
        return date
    }
}

extension Request {
    /// The JSON body, decoded with the API's stable errors.
    func json<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        try await decode(as: type, context: context)
    }
}
