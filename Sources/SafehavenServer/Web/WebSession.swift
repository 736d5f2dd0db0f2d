import Foundation
import Hummingbird
import NIOCore
import HummingbirdAuth
import SafehavenCore
import SafehavenCrypto

/// The browser's session cookie and the form token that goes with it.
enum WebSession {
    static let cookieName = "safehaven_session"
    /// Before sign-in, a random value in a cookie and in the form guards the sign-in form itself.
    static let formCookieName = "safehaven_form"

    /// `Secure` when the public address is https; always `HttpOnly` and `SameSite=Lax`.
    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Lax"]
        if secure { parts.append("Secure") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }

    static func clearing(_ name: String, secure: Bool) -> String { cookie(name, "", secure: secure, maxAge: 0) }

    /// A cookie's value from the request, if present.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(name + "=") { return String(trimmed.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}

/// Recognises the session cookie on page requests: the same accounts and tokens as the API
/// (stored server-side), with the browser session's idle timeout. A cookie that no longer works
/// leaves the request signed out; the page then asks the person to sign in.
struct CookieAuthenticator: AuthenticatorMiddleware {
    typealias Context = AppRequestContext
    let auth: AuthService

    func authenticate(request: Request, context: Context) async throws -> SignedIn? {
        guard let token = WebSession.value(WebSession.cookieName, in: request), !token.isEmpty else { return nil }
        guard let (user, record) = try? await auth.authenticate(webSession: token) else { return nil }
        return SignedIn(user: user, token: record, webToken: token)
    }
}

/// `application/x-www-form-urlencoded` bodies, bounded.
enum FormBody {
    static let maxBytes = 64 * 1024

    static func decode(_ request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBytes) } catch {
            throw SafehavenError(.tooLarge, code: "form_too_large", message: "That form sent far more than any page of Safehaven needs.")
        }
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = parts.first.map(decode), !key.isEmpty else { continue }
            fields[key] = parts.count > 1 ? normaliseNewlines(decode(parts[1])) : ""
        }
        return fields
    }

    /// Browsers send every line break in a text area as CR LF; the services keep LF only.
    static func normaliseNewlines(_ text: String) -> String {
        text.contains("\r") ? text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") : text
    }
}
