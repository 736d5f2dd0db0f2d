import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SafehavenCLI
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Drives the real router in-process: the same router production serves, with the test's clock.
struct API {
    let client: any TestClientProtocol
    let env: TestEnvironment

    struct Reply {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: ByteBuffer
        /// The body as a JSON object; a body that is not one fails the test instead of reading as empty.
        var json: [String: Any] {
            get throws {
                guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
                    throw ConfigError("reply is not a JSON object: \(String(buffer: body))")
                }
                return object
            }
        }
        /// The body decoded into a typed reply.
        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        }
        /// The error body every failure carries.
        func error() throws -> ErrorReply.Detail { try decode(ErrorReply.self).error }
        var errorCode: String? { try? error().code }
        var bytes: [UInt8] { Array(body.readableBytesView) }
    }

    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: [String: Any]? = nil,
              body: Data? = nil, contentType: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let body {
            buffer = ByteBuffer(bytes: body)
        }
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            Reply(status: response.status, headers: response.headers, body: response.body)
        }
    }

    func login(_ email: String, _ password: String, totp: String? = nil) async throws -> String {
        var body: [String: Any] = ["email": email, "password": password]
        if let totp { body["totp"] = totp }
        let reply = try await call(.post, "/api/v1/sessions", json: body)
        guard reply.status == .created, let token = try? reply.decode(SignedIn.self).token else {
            throw ConfigError("login failed: \(reply.status) \(String(buffer: reply.body))")
        }
        return token
    }

    /// Turns on the second factor through the API (password again, then a current code); returns
    /// the generator the app would hold and the reply to the confirmation (with the recovery codes).
    func enableTOTP(token: String, password: String) async throws -> (TOTP, Reply) {
        let enrol = try await call(.post, "/api/v1/account/totp", token: token, json: ["password": password])
        guard let text = try enrol.json["secret"] as? String, let secret = LoginRaceTests.base32(text) else {
            throw ConfigError("enrolment gave no secret: \(String(buffer: enrol.body))")
        }
        let totp = TOTP(secret: secret)
        let confirmed = try await call(.post, "/api/v1/account/totp/confirm", token: token,
                                       json: ["code": totp.code(counter: TOTP.counter(at: env.clock.now()))])
        return (totp, confirmed)
    }

    /// Sends a share with the given JSON details and files; returns the raw reply.
    func send(token: String, _ share: [String: Any], files: [(String, Data)] = [], to path: String = "/api/v1/shares") async throws -> Reply {
        var multipart = MultipartBody()
        multipart.addJSON(share)
        for (name, data) in files { multipart.add(name: "file", filename: name, contentType: "application/pdf", data) }
        return try await call(.post, path, token: token, body: multipart.finished(), contentType: multipart.contentType)
    }

    static func share(to recipients: [String] = ["bob@nhs.net"], _ extra: [String: Any] = [:]) -> [String: Any] {
        var base: [String: Any] = ["subject": "Strategy meeting papers", "message": "Papers for Thursday's meeting.",
                                   "recipients": recipients, "marking": "OFFICIAL-SENSITIVE",
                                   "purpose": "Child protection strategy discussion", "handling": "Do not forward.", "basis": "no-personal-data"]
        for (k, v) in extra { base[k] = v }
        return base
    }
}

extension TestEnvironment {
    /// Alice's organisation records a person and their parent's consent to share with nhs.net for
    /// the purpose `API.share()` gives; with `manager`, it also gains a manager (Mo) who may authorise.
    func consentedSubject(_ reference: String, for people: People, manager: Bool = false) async throws {
        if manager {
            _ = try await runtime.directory.createUser(.init(email: "mo@merton.gov.uk", name: "Mo Khan", organisation: people.alice.organisationID,
                                                             jobTitle: "Team manager", phone: "1", roles: [.manager], password: "lantern-copper-meadow-31"))
        }
        _ = try await SubjectService(runtime.deps).create(caseReference: reference, displayName: "Someone", by: people.alice)
        _ = try await ConsentService(runtime.deps).record(.init(caseReference: reference, givenBy: "parent", giverName: "Parent",
                                                                purposes: ["Child protection strategy discussion"], recipients: ["nhs.net"],
                                                                information: "Records"), by: people.alice)
    }
}

/// Runs `body` against a fresh installation with three people in three organisations.
/// The application is the one production runs (`buildApplication`), without background jobs.
/// With `live`, a real server on a loopback port answers real connections (for races).
func withAPI(_ db: TestDatabase, limits: Limits = Limits(), live: Bool = false, configure: (inout AppConfig) -> Void = { _ in },
             _ body: @escaping @Sendable (API, TestEnvironment, TestEnvironment.People) async throws -> Void) async throws {
    try await TestEnvironment.with(db, limits: limits, configure: configure) { env async throws in
        let people = try await env.seedPeople()
        let app = try buildApplication(runtime: env.runtime, runJobs: false)
        try await app.test(live ? .live : .router) { client in
            try await body(API(client: client, env: env), env, people)
        }
    }
}

extension TestEnvironment.People {
    static let passwords = ["alice@merton.gov.uk": TestEnvironment.alicePassword, "bob@nhs.net": TestEnvironment.bobPassword,
                            "carol@sutton.gov.uk": TestEnvironment.carolPassword]
}
