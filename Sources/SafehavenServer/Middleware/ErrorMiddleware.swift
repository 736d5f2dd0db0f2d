import Foundation
import Hummingbird
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenStorage

/// Turns every error into `{"error":{"code","message"}}` with the right status. Unexpected errors
/// become a 500 that shows only the request id; the detail goes to the log, never to the client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The router found no route. If the path exists under other methods, say so.
            let allowed = Endpoint.matching(path: request.uri.path).map(\.method)
            if allowed.isEmpty, !request.uri.path.hasPrefix("/api/"), request.headers[.accept]?.contains("text/html") == true {
                return Self.pageNotFound(context: context)
            }
            guard !allowed.isEmpty else { return Self.response(for: error, context: context) }
            var response = Self.response(for: HTTPError(.methodNotAllowed), context: context)
            var names = Set(allowed.map(\.rawValue))
            if names.contains("GET") { names.insert("HEAD") }
            response.headers[.allow] = names.sorted().joined(separator: ", ")
            return response
        } catch {
            return Self.response(for: error, context: context)
        }
    }

    /// A person's browser asking for a page that does not exist gets a page, not JSON.
    static func pageNotFound(context: Context) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Page not found – Safehaven</title><link rel="stylesheet" href="/assets/app.css"></head>
            <body><header class="header"><div class="width"><a class="header__name" href="/">Safehaven</a></div></header>
            <main class="width main" id="main"><h1>Page not found</h1>
            <p>If you typed the address, check it is correct. If you followed a link to a share, it may have been withdrawn.</p>
            <p><a href="/">Go to your inbox</a></p></main>
            <footer class="footer"><div class="width"><p>Request id \(context.id).</p></div></footer></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = WebController.pagePolicy
        return Response(status: .notFound, headers: headers, body: .init(byteBuffer: .init(string: html)))
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let requestId: String?
        }
        let error: Detail
    }

    static func response(for error: Error, context: Context) -> Response {
        let status: HTTPResponse.Status
        let code: String
        let message: String
        var headers = HTTPFields()
        var error = error
        if let mapped = ResourceFailure.classify(error) {
            context.logger.critical("storage failure", metadata: ["error": "\(error)", "code": "\(mapped.code)"])
            error = mapped
        }
        switch error {
        case let e as SafehavenError:
            status = Self.status(e.kind)
            code = e.code
            message = e.message
            if let retry = e.retryAfter { headers[.retryAfter] = String(retry) }
            if e.kind == .unauthorised { headers[.wwwAuthenticate] = "Bearer" }
        case let e as HTTPError:
            status = e.status
            switch e.status.code {
            case 401: (code, message) = (SafehavenError.unauthenticated.code, SafehavenError.unauthenticated.message)
            case 404: (code, message) = ("not_found", SafehavenError.notFound.message)
            case 405: (code, message) = ("method_not_allowed", "That method is not allowed here.")
            case 413: (code, message) = ("too_large", "The request is too large.")
            default: (code, message) = ("http_\(e.status.code)", e.body ?? e.status.reasonPhrase)
            }
        case is CryptoFailure:
            context.logger.error("integrity failure", metadata: ["error": "\(error)"])
            status = .internalServerError
            (code, message) = ("integrity_failure", "The stored content failed its integrity check; it has not been released.")
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            status = .internalServerError
            (code, message) = ("internal_error", "Something went wrong on our side. Quote the request id if you report it.")
        }
        headers[.contentType] = "application/json; charset=utf-8"
        let body = Body(error: .init(code: code, message: message, requestId: status.code >= 500 ? context.id : nil))
        let data = (try? JSON.encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(bytes: data)))
    }

    static func status(_ kind: SafehavenError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badRequest: return .badRequest
        case .unauthorised: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .gone: return .gone
        case .tooLarge: return .contentTooLarge
        case .unprocessable: return .unprocessableContent
        case .rateLimited: return .tooManyRequests
        case .unavailable: return .serviceUnavailable
        case .damaged: return .internalServerError
        case .insufficientStorage: return .init(code: 507, reasonPhrase: "Insufficient Storage")
        case .unsupportedMediaType: return .unsupportedMediaType
        case .preconditionFailed: return .preconditionFailed
        }
    }
}
