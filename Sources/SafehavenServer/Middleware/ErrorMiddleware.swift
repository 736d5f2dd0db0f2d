import Foundation
import Hummingbird
import Logging
import SafehavenCore
import SafehavenCrypto

/// Turns every error into `{"error":{"code","message"}}` with the right status. Unexpected errors
/// become a 500 that shows only the request id; the detail goes to the log, never to the client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, context: context)
        }
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
        }
    }
}

/// Headers every response carries: no sniffing, no framing, no caching of personal data, no referrer.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'; sandbox"
        }
        response.headers[.xRequestID] = context.id
        return response
    }
}

/// One log line per request: method, route template, status and duration. Never the query,
/// the body, or anything personal.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")",
            "status": "\(response.status.code)",
            "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return response
    }
}

/// Requires `Authorization: Bearer <token>` and puts the user in the context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let auth: AuthService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw SafehavenError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw SafehavenError.unauthenticated }
        let (user, token) = try await auth.authenticate(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces))
        var context = context
        context.user = user
        context.token = token
        return try await next(request, context)
    }
}
