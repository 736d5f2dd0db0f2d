import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCLI
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

@Suite struct LoginTests {
    @Test(arguments: TestDatabase.available)
    func failedLoginsAreSlowedThenLocked(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            func attempt(_ password: String) async throws -> API.Reply {
                try await api.call(.post, "/api/v1/sessions", json: ["email": "alice@merton.gov.uk", "password": password])
            }
            // Unknown accounts and wrong passwords look alike.
            let unknown = try await api.call(.post, "/api/v1/sessions", json: ["email": "nobody@merton.gov.uk", "password": "whatever-it-is-1"])
            #expect(unknown.status == .unauthorized && unknown.errorCode == "invalid_credentials")
            for _ in 0..<3 { #expect(try await attempt("wrong-password-here").errorCode == "invalid_credentials") }
            // Now each attempt must wait: even the right password is refused until then.
            let slowed = try await attempt(TestEnvironment.alicePassword)
            #expect(slowed.status == .tooManyRequests)
            #expect(slowed.errorCode == "too_many_attempts")
            #expect(slowed.headers[.retryAfter] == "1")
            env.clock.advance(1)
            #expect(try await attempt("wrong-password-here").status == .unauthorized)
            #expect(try await attempt("wrong-password-here").status == .tooManyRequests)
            for _ in 0..<6 {
                env.clock.advance(3600)
                _ = try await attempt("wrong-password-here")
            }
            // The tenth failure locked the account: even the right password is refused for 15 minutes.
            let locked = try await attempt(TestEnvironment.alicePassword)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "account_locked")
            env.clock.advance(14 * 60)
            #expect(try await attempt(TestEnvironment.alicePassword).errorCode == "account_locked")
            env.clock.advance(60)
            #expect(try await attempt(TestEnvironment.alicePassword).status == .created)
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("login.locked"))
            #expect(actions.filter { $0 == "login.failed" }.count >= 10)
        }
    }

    @Test(arguments: TestDatabase.available)
    func totpEnrolmentAndSignIn(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let token = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            #expect(try await api.call(.post, "/api/v1/account/totp/confirm", token: token, json: ["code": "123456"]).errorCode == "totp_not_started")
            // Enrolling asks for the password again.
            #expect(try await api.call(.post, "/api/v1/account/totp", token: token).status == .badRequest)
            let wrong = try await api.call(.post, "/api/v1/account/totp", token: token, json: ["password": "not-my-password-1"])
            #expect(wrong.status == .forbidden && wrong.errorCode == "password_required")
            let enrol = try await api.call(.post, "/api/v1/account/totp", token: token, json: ["password": TestEnvironment.bobPassword])
            #expect(enrol.status == .created)
            let secretText = try #require(enrol.json["secret"] as? String)
            #expect(try (enrol.json["uri"] as? String)?.hasPrefix("otpauth://totp/Safehaven%3Abob%40nhs.net?secret=\(secretText)") == true)
            let secret = try #require(Self.base32Decode(secretText))
            let totp = TOTP(secret: secret)
            let bad = try await api.call(.post, "/api/v1/account/totp/confirm", token: token, json: ["code": "000000"])
            #expect(bad.errorCode == "invalid_code")
            let code = totp.code(counter: TOTP.counter(at: env.clock.now()))
            #expect(try await api.call(.post, "/api/v1/account/totp/confirm", token: token, json: ["code": code]).status == .ok)
            #expect(try await api.call(.get, "/api/v1/account", token: token).json["totpEnabled"] as? Bool == true)
            #expect(try await api.call(.post, "/api/v1/account/totp", token: token, json: ["password": TestEnvironment.bobPassword]).status == .conflict)

            env.clock.advance(30)
            let noCode = try await api.call(.post, "/api/v1/sessions", json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword])
            // The right password without the code gets the same answer as a wrong password.
            #expect(noCode.status == .unauthorized && noCode.errorCode == "invalid_credentials")
            let wrongCode = try await api.call(.post, "/api/v1/sessions",
                                               json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword, "totp": "999999"])
            #expect(wrongCode.errorCode == "invalid_credentials")
            #expect(noCode.bytes == wrongCode.bytes && noCode.status == wrongCode.status)
            env.clock.advance(30)
            let now = totp.code(counter: TOTP.counter(at: env.clock.now()))
            _ = try await api.login("bob@nhs.net", TestEnvironment.bobPassword, totp: now)
            // The same code cannot be used twice.
            let replay = try await api.call(.post, "/api/v1/sessions", json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword, "totp": now])
            #expect(replay.errorCode == "invalid_credentials")
            // The seed is stored sealed, never in the clear.
            let stored = try await env.store.read { try await $0.user(email: "bob@nhs.net") }
            #expect(stored?.totpSecretSealed?.hasPrefix("sg1:") == true)
            #expect(stored?.totpSecretSealed?.contains(secretText) == false)
        }
    }

    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var buffer: UInt32 = 0, bits = 0
        var out: [UInt8] = []
        for ch in text {
            guard let index = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }

    @Test(arguments: TestDatabase.available)
    func systemEndpoints(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let health = try await api.call(.get, "/health")
            #expect(try health.status == .ok && health.json["status"] as? String == "ok")
            #expect(health.headers[.xContentTypeOptions] == "nosniff")
            #expect(health.headers[.cacheControl] == "no-store")
            // Metrics are not public: without a scraper token configured they are not served at all.
            #expect(try await api.call(.get, "/metrics").status == .notFound)
            #expect(health.headers[.strictTransportSecurity] == nil)
            let spec = try await api.call(.get, "/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(String(buffer: spec.body).hasPrefix("openapi: 3"))
            let missing = try await api.call(.get, "/no/such/path")
            #expect(missing.status == .notFound && missing.errorCode == "not_found")
        }
    }
}

/// Sign-in limits hold when attempts arrive at the same moment, against a real server.
@Suite struct LoginRaceTests {
    /// `count` sign-ins with a wrong password, all at once; their statuses.
    static func burst(_ api: API, _ count: Int) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await api.call(.post, "/api/v1/sessions",
                                       json: ["email": "alice@merton.gov.uk", "password": "wrong-password-here"]).status.code
                }
            }
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
    }

    static func actions(_ env: TestEnvironment) async throws -> [String] {
        try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
    }

    @Test(arguments: TestDatabase.available)
    func parallelWrongPasswordsNeverGetPastTheLimits(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            let app = try buildApplication(runtime: env.runtime, runJobs: false)
            try await app.test(.live) { client in
                let api = API(client: client, env: env)
                let statuses = try await Self.burst(api, 40)
                #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
                // The clock stands still: exactly the attempts the limit allows before slowing
                // reach the password check, however many arrive together; the rest wait.
                var checked = 0
                for status in statuses where status == 401 { checked += 1 }
                #expect(checked == env.deps.limits.slowLoginsAfter, "\(statuses)")
                #expect(try await Self.actions(env).filter { $0 == "login.failed" }.count == checked)
                // Over time, ten failures lock the account even when they come in parallel bursts:
                // each burst after a pause gets one attempt through, and the tenth locks.
                let limits = env.deps.limits
                for _ in 0..<(limits.lockLoginsAfter - limits.slowLoginsAfter) {
                    env.clock.advance(3600)
                    let statuses = try await Self.burst(api, 10)
                    #expect(statuses.filter { $0 != 429 }.count == 1, "\(statuses)")
                }
                let right = try await api.call(.post, "/api/v1/sessions",
                                               json: ["email": "alice@merton.gov.uk", "password": TestEnvironment.alicePassword])
                #expect(right.errorCode == "account_locked")
                #expect(try await Self.actions(env).filter { $0 == "login.locked" }.count == 1)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func oneTOTPCodeSignsInOnceEvenInParallel(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let enrolment = try await env.runtime.auth.beginTOTP(for: people.bob, password: TestEnvironment.bobPassword)
            let secret = try #require(Self.base32(enrolment.secret))
            let totp = TOTP(secret: secret)
            let bob = try #require(try await env.store.read { try await $0.user(id: people.bob.id) })
            try await env.runtime.auth.confirmTOTP(for: bob, code: totp.code(counter: TOTP.counter(at: env.clock.now())))
            env.clock.advance(30)
            let code = totp.code(counter: TOTP.counter(at: env.clock.now()))
            let app = try buildApplication(runtime: env.runtime, runJobs: false)
            try await app.test(.live) { client in
                let api = API(client: client, env: env)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await api.call(.post, "/api/v1/sessions",
                                               json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword, "totp": code]).status.code
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            }
        }
    }

    static func base32(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var out: [UInt8] = []
        for ch in text.uppercased() where ch != "=" {
            guard let index = alphabet.firstIndex(of: ch) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                out.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}

/// The smaller holes: metrics, HSTS, hashing cost, database TLS.
@Suite struct HardeningTests {
    static let scraper = "scraper-token-0123456789abcdef0123456789"

    @Test func metricsNeedTheScrapersTokenAndHTTPSGetsHSTS() async throws {
        try await withAPI(.sqlite, configure: { config in
            config.metricsToken = Self.scraper
            config.publicURL = "https://safehaven.merton.gov.uk"
        }) { api, _, _ in
            #expect(try await api.call(.get, "/metrics").status == .unauthorized)
            #expect(try await api.call(.get, "/metrics", token: "scraper-token-0123456789abcdef0123456789x").status == .unauthorized)
            let metrics = try await api.call(.get, "/metrics", token: Self.scraper)
            #expect(metrics.status == .ok && String(buffer: metrics.body).contains("# TYPE"))
            let health = try await api.call(.get, "/health")
            #expect(health.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        }
    }

    @Test func passwordHashingIsAtLeast2To17OutsideTests() throws {
        #expect(try AppConfig.fromEnvironment([:]).passwordCost == 17)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFEHAVEN_PASSWORD_COST": "15"]) }
        #expect(try AppConfig.fromEnvironment(["SAFEHAVEN_PASSWORD_COST": "18"]).passwordCost == 18)
        #expect(try AppConfig.fromEnvironment(["SAFEHAVEN_TEST_ONLY_PASSWORD_COST": "10"]).passwordCost == 10)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFEHAVEN_METRICS_TOKEN": "short"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SAFEHAVEN_PUBLIC_URL": "ftp://x"]) }
    }

    @Test(arguments: [
        ("db.internal.example", nil as String?, false, true),   // verify-full by default
        ("db.internal.example", "disable", false, false),
        ("db.internal.example", "require", false, false),
        ("db.internal.example", "prefer", false, false),
        ("db.internal.example", "verify-full", false, true),
        ("10.1.2.3", "disable", true, true),
        ("127.0.0.1", "disable", false, true),
        ("localhost", nil, false, true),
        ("[::1]", "disable", false, true),
    ])
    func aDatabaseOnAnotherHostNeedsVerifiedTLS(host: String, sslmode: String?, allowInsecure: Bool, accepted: Bool) {
        let result = Result { try PostgresTLSPolicy.decide(host: host, sslmode: sslmode, rootCertificate: nil, allowInsecure: allowInsecure) }
        if case .success = result { #expect(accepted) } else { #expect(!accepted) }
    }

    @Test func aRemoteDatabaseURLWithoutTLSIsRefusedBeforeConnecting() async throws {
        await #expect(throws: StorageError.self) {
            _ = try await DatabaseLocation.parse("postgres://app:pw@db.internal.example:5432/safehaven?sslmode=disable").open(logger: .init(label: "t"))
        }
    }
}
