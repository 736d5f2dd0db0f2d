import Foundation
import HTTPTypes
import Hummingbird
import SafehavenCore

/// The tus resumable-upload protocol, version 1.0.0 (https://tus.io/protocols/resumable-upload):
/// core, creation, expiration and termination. Headers and their parsing live here; the routes
/// are in `UploadController`.
public enum Tus {
    static let version = "1.0.0"
    static let extensions = "creation,expiration,termination"
    static let contentType = "application/offset+octet-stream"

    static let resumable = HTTPField.Name("Tus-Resumable")!
    static let versionHeader = HTTPField.Name("Tus-Version")!
    static let extensionHeader = HTTPField.Name("Tus-Extension")!
    static let maxSize = HTTPField.Name("Tus-Max-Size")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let deferLength = HTTPField.Name("Upload-Defer-Length")!

    /// `Upload-Metadata`: comma-separated pairs of a key and an optional base64 value.
    public static func metadata(_ raw: String?) throws -> [String: String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        guard raw.utf8.count <= 4096 else { throw SafehavenError.badRequest("bad_upload_metadata", "Upload-Metadata can be at most 4096 bytes.") }
        var out: [String: String] = [:]
        for pair in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(parts.count), let key = parts.first, !key.isEmpty, out[String(key)] == nil,
                  key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != "," }) else {
                throw SafehavenError.badRequest("bad_upload_metadata", "Upload-Metadata must be comma-separated pairs of a key and a base64 value, each key once.")
            }
            var value = ""
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])), let text = String(data: data, encoding: .utf8) else {
                    throw SafehavenError.badRequest("bad_upload_metadata", "The value of '\(key.prefix(40))' in Upload-Metadata is not base64 of UTF-8 text.")
                }
                value = text
            }
            out[String(key)] = value
        }
        return out
    }

    public static func encodeMetadata(_ values: [(String, String)]) -> String {
        values.map { "\($0.0) \(Data($0.1.utf8).base64EncodedString())" }.joined(separator: ",")
    }

    /// A whole number of bytes in a header, or a clear refusal.
    public static func bytes(_ raw: String?, header: String) throws -> Int64 {
        guard let raw, let value = Int64(raw), value >= 0, raw.allSatisfy(\.isASCII) else {
            throw SafehavenError.badRequest("bad_\(header.lowercased().replacingOccurrences(of: "-", with: "_"))",
                                            "\(header) must be a whole number of bytes.")
        }
        return value
    }

    /// The date format tus uses for Upload-Expires (RFC 9110's IMF-fixdate).
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// Every tus answer says which version it speaks; every request but OPTIONS must say it speaks
/// ours (412 and the versions we do, otherwise).
struct TusProtocolMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if request.method != .options, request.headers[Tus.resumable] != Tus.version {
            response = ErrorMiddleware.response(for: SafehavenError(.preconditionFailed, code: "tus_version",
                                                                    message: "Send Tus-Resumable: \(Tus.version); it is the version of tus this server speaks."),
                                                context: context)
            response.headers[Tus.versionHeader] = Tus.version
        } else {
            do { response = try await next(request, context) } catch { response = ErrorMiddleware.response(for: error, context: context) }
        }
        response.headers[Tus.resumable] = Tus.version
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
