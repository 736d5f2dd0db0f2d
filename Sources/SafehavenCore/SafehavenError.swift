import Foundation

/// Every failure a user can cause, with a stable machine code and a message safe to show.
/// The HTTP status is decided from `kind` at the edge; Core knows nothing of HTTP.
public struct SafehavenError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest, unauthorised, forbidden, notFound, conflict, gone, tooLarge, unprocessable, rateLimited, unavailable
        /// Stored content failed an integrity check: the service's fault, never the caller's.
        case damaged
        /// The disk is full.
        case insufficientStorage
        /// The body is not of a type this address takes.
        case unsupportedMediaType
        /// A protocol version or precondition the request states is not met.
        case preconditionFailed
    }

    public let kind: Kind
    public let code: String
    public let message: String
    /// Seconds a client should wait, for rate limits and lock-outs.
    public let retryAfter: Int?

    public init(_ kind: Kind, code: String, message: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }

    public static func invalid(_ field: String, _ message: String) -> SafehavenError {
        SafehavenError(.unprocessable, code: "invalid_\(field)", message: message)
    }
    public static func badRequest(_ code: String, _ message: String) -> SafehavenError {
        SafehavenError(.badRequest, code: code, message: message)
    }
    /// Deliberately the same for "does not exist" and "not yours": nothing hints that a thing exists.
    public static let notFound = SafehavenError(.notFound, code: "not_found", message: "Nothing was found at this address.")
    public static let unauthenticated = SafehavenError(
        .unauthorised, code: "unauthenticated", message: "Sign in first: the token is missing, wrong or expired.")
    public static func forbidden(_ code: String, _ message: String) -> SafehavenError {
        SafehavenError(.forbidden, code: code, message: message)
    }
    public static func gone(_ code: String, _ message: String) -> SafehavenError {
        SafehavenError(.gone, code: code, message: message)
    }
    public static func conflict(_ code: String, _ message: String) -> SafehavenError {
        SafehavenError(.conflict, code: code, message: message)
    }
}
