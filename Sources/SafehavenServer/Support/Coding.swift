import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// Reads JSON request bodies into typed values, turning every decoding failure into a stable
/// `invalid_<field>` or `malformed_json` error.
public struct SafehavenRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        var request = request
        let limit = context.maxUploadSize
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw SafehavenError(.tooLarge, code: "too_large", message: "The request body is larger than \(limit) bytes.")
        }
        return try JSON.decode(type, from: Data(buffer.readableBytesView))
    }
}

/// Writes responses as JSON with sorted keys, the same bytes for the same value.
public struct SafehavenResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try JSON.response(value)
    }
}
