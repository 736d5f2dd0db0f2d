import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenTestSupport
import Testing

/// A browser for tests: keeps cookies, posts forms (URL-encoded or multipart) as pages do.
struct Browser {
    let api: API
    var cookies: [String: String] = [:]

    mutating func request(_ method: HTTPRequest.Method, _ path: String, form: [String: String]? = nil,
                          multipart: [(name: String, value: String)]? = nil, files: [(name: String, data: Data)] = []) async throws -> API.Reply {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body: ByteBuffer?
        if let multipart {
            // As a browser sends it: the text fields in page order, then the files.
            let boundary = "----browserBoundary7MA4YWxkTrZu0gW"
            var data = Data()
            for (name, value) in multipart {
                data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            }
            for file in files.isEmpty ? [(name: "", data: Data())] : files {
                data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
                data.append(file.data)
                data.append(Data("\r\n".utf8))
            }
            data.append(Data("--\(boundary)--\r\n".utf8))
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            body = ByteBuffer(bytes: data)
        } else if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&"))
        }
        let reply = try await api.client.execute(uri: path, method: method, headers: headers, body: body) { response in
            API.Reply(status: response.status, headers: response.headers, body: response.body)
        }
        for header in reply.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if header.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        return reply
    }

    var page: (API.Reply) -> String = { String(buffer: $0.body) }

    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    mutating func signIn(_ email: String, _ password: String) async throws -> API.Reply {
        let form = try await request(.get, "/sign-in")
        let token = try #require(Self.field("csrf", in: String(buffer: form.body)))
        return try await request(.post, "/sign-in", form: ["csrf": token, "email": email, "password": password])
    }
}
