import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing

/// The web pages' session: cookies, form tokens, timeouts, and the line between pages and API.
@Suite struct WebSessionTests {
    @Test(arguments: TestDatabase.available)
    func signInSetsASafeCookieThatTheAPIIgnores(db: TestDatabase) async throws {
        try await withAPI(db, configure: { $0.publicURL = "https://safehaven.example.gov.uk" }) { api, _, _ in
            var browser = Browser(api: api)
            let signedIn = try await browser.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/inbox")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("safehaven_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"))
            let inbox = try await browser.request(.get, "/inbox")
            #expect(inbox.status == .ok && String(buffer: inbox.body).contains("<h1>Inbox</h1>"))
            // Our own script and style files only: nothing inline, nothing from elsewhere.
            #expect(inbox.headers[.contentSecurityPolicy]?.contains("script-src 'self';") == true)
            #expect(inbox.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
            #expect(inbox.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            // The API never accepts the cookie: a forged cross-site call gets 401.
            let session = try #require(browser.cookies["safehaven_session"])
            var headers = HTTPFields()
            headers[.cookie] = "safehaven_session=\(session)"
            let apiCall = try await api.client.execute(uri: "/api/v1/account", method: .get, headers: headers, body: nil) { $0.status }
            #expect(apiCall == .unauthorized)
        }
    }

    @Test(arguments: TestDatabase.available)
    func formsWithoutTheSessionsTokenAreRefused(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            var browser = Browser(api: api)
            // Sign-in without the form cookie's token: refused.
            let forged = try await browser.request(.post, "/sign-in", form: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword])
            #expect(forged.status == .forbidden && browser.cookies["safehaven_session"] == nil)
            _ = try await browser.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            // Sign-out with a wrong token does not sign out.
            _ = try await browser.request(.post, "/sign-out", form: ["csrf": "0000"])
            #expect(try await browser.request(.get, "/inbox").status == .ok)
            let inbox = String(buffer: try await browser.request(.get, "/inbox").body)
            let token = try #require(Browser.field("csrf", in: inbox))
            let out = try await browser.request(.post, "/sign-out", form: ["csrf": token])
            #expect(out.status == .seeOther && browser.cookies["safehaven_session"] == nil)
            let after = try await browser.request(.get, "/inbox")
            #expect(after.status == .seeOther && after.headers[.location] == "/sign-in")
        }
    }

    @Test(arguments: TestDatabase.available)
    func sessionsEndAfterIdlenessAndAtTheirAbsoluteLimit(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            var browser = Browser(api: api)
            _ = try await browser.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            env.clock.advance(20 * 60)
            #expect(try await browser.request(.get, "/inbox").status == .ok)
            env.clock.advance(20 * 60)
            #expect(try await browser.request(.get, "/inbox").status == .ok, "used 20 minutes ago: still signed in")
            env.clock.advance(31 * 60)
            #expect(try await browser.request(.get, "/inbox").headers[.location] == "/sign-in", "idle for 31 minutes")
            _ = try await browser.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            for _ in 0..<26 {
                env.clock.advance(29 * 60)
                _ = try await browser.request(.get, "/inbox")
            }
            #expect(try await browser.request(.get, "/inbox").headers[.location] == "/sign-in", "past 12 hours")
        }
    }

    @Test(arguments: TestDatabase.available)
    func pagesEscapeWhatPeopleTypedAndHideWhatIsNotTheirs(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let payloads = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{title}}", "<svg/onload=alert(1)>"]
            let sent = try await api.send(token: alice, API.share(["subject": "Papers " + payloads[1], "message": payloads.joined(separator: " "),
                                                                   "purpose": payloads[0], "handling": payloads[4]]),
                                          files: [(payloads[1] + ".pdf", Data("x".utf8))])
            let id = try #require(try sent.json["id"] as? String)
            var bob = Browser(api: api)
            _ = try await bob.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            let page = String(buffer: try await bob.request(.get, "/shares/\(id)").body)
            for raw in ["<script>", "<img src=x", "<svg/onload"] { #expect(!page.contains(raw), "\(raw) reached the page unescaped") }
            #expect(page.contains("&lt;script&gt;"))
            var carol = Browser(api: api)
            _ = try await carol.signIn("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            let other = try await carol.request(.get, "/shares/\(id)")
            #expect(other.status == .notFound && !String(buffer: other.body).contains("Papers"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func onlyTheSenderWithholdsAndOnlyWithTheSessionsToken(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let id = try #require(try await api.send(token: token, API.share()).json["id"] as? String)
            var bob = Browser(api: api)
            _ = try await bob.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            #expect(try await bob.request(.get, "/shares/\(id)/revoke").status == .notFound)
            var alice = Browser(api: api)
            _ = try await alice.signIn("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let confirm = String(buffer: try await alice.request(.get, "/shares/\(id)/revoke").body)
            #expect(confirm.contains("Are you sure"))
            #expect(try await alice.request(.post, "/shares/\(id)/revoke", form: ["csrf": "forged"]).status == .forbidden)
            #expect(String(buffer: try await bob.request(.get, "/shares/\(id)").body).contains("Strategy meeting papers"))
            let csrf = try #require(Browser.field("csrf", in: confirm))
            let done = try await alice.request(.post, "/shares/\(id)/revoke", form: ["csrf": csrf])
            #expect(String(buffer: done.body).contains("Share withdrawn"))
            #expect(try await bob.request(.get, "/shares/\(id)").status == .gone)
        }
    }

    /// The first administrator's one-time password opens only the page (or API call) to change it.
    @Test(arguments: TestDatabase.available)
    func aOneTimePasswordMustBeChangedFirst(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let admin = try #require(try await env.runtime.ensureFirstAdministrator())
            let app = try buildApplication(runtime: env.runtime, runJobs: false)
            try await app.test(.router) { client in
                let api = API(client: client, env: env)
                let token = try await api.login(admin.email, admin.password)
                let blocked = try await api.call(.get, "/api/v1/inbox", token: token)
                #expect(blocked.status == .forbidden && blocked.errorCode == "password_change_required")
                #expect(try await api.call(.get, "/api/v1/account", token: token).status == .ok)
                var browser = Browser(api: api)
                let signedIn = try await browser.signIn(admin.email, admin.password)
                #expect(signedIn.headers[.location] == "/account/password")
                #expect(try await browser.request(.get, "/inbox").headers[.location] == "/account/password")
                let form = String(buffer: try await browser.request(.get, "/account/password").body)
                #expect(form.contains("one-time password"))
                let csrf = try #require(Browser.field("csrf", in: form))
                let mismatch = try await browser.request(.post, "/account/password",
                                                         form: ["csrf": csrf, "current": admin.password, "new": "amber-meadow-quartz-77", "confirm": "x"])
                #expect(String(buffer: mismatch.body).contains("not the same"))
                let changed = try await browser.request(.post, "/account/password",
                                                        form: ["csrf": csrf, "current": admin.password, "new": "amber-meadow-quartz-77",
                                                               "confirm": "amber-meadow-quartz-77"])
                #expect(changed.headers[.location] == "/inbox")
                #expect(try await browser.request(.get, "/inbox").status == .ok)
                // The API session from before the change has ended; a new one works everywhere.
                #expect(try await api.call(.get, "/api/v1/inbox", token: token).status == .unauthorized)
                let fresh = try await api.login(admin.email, "amber-meadow-quartz-77")
                #expect(try await api.call(.get, "/api/v1/inbox", token: fresh).status == .ok)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func signingOutEverywhereEndsEverySessionAndToken(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let token = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            var phone = Browser(api: api), desk = Browser(api: api)
            _ = try await phone.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            _ = try await desk.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            let page = String(buffer: try await desk.request(.get, "/account").body)
            #expect(page.contains("bob@nhs.net") && page.contains("St Helier Hospital"))
            #expect(try await desk.request(.post, "/account/sign-out-everywhere", form: ["csrf": "forged"]).status == .forbidden)
            #expect(try await phone.request(.get, "/inbox").status == .ok)
            let csrf = try #require(Browser.field("csrf", in: page))
            #expect(try await desk.request(.post, "/account/sign-out-everywhere", form: ["csrf": csrf]).headers[.location] == "/sign-in")
            #expect(try await phone.request(.get, "/inbox").headers[.location] == "/sign-in")
            #expect(try await api.call(.get, "/api/v1/account", token: token).status == .unauthorized)
        }
    }

    @Test func aBrowserAskingForAMissingPageGetsAPageAndTheAPIKeepsJSON() async throws {
        try await withAPI(.sqlite) { api, _, _ in
            var headers = HTTPFields()
            headers[.accept] = "text/html,application/xhtml+xml"
            let page = try await api.client.execute(uri: "/no/such/page", method: .get, headers: headers, body: nil) {
                ($0.status, $0.headers[.contentType], String(buffer: $0.body))
            }
            #expect(page.0 == .notFound && page.1?.hasPrefix("text/html") == true && page.2.contains("Page not found"))
            let apiMissing = try await api.client.execute(uri: "/api/v1/nowhere", method: .get, headers: headers, body: nil) { $0.headers[.contentType] }
            #expect(apiMissing?.hasPrefix("application/json") == true)
        }
    }

    @Test func anOversizedOrMangledFormGetsAClearAnswer() async throws {
        try await withAPI(.sqlite) { api, _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let huge = try await api.client.execute(uri: "/sign-in", method: .post, headers: headers,
                                                    body: ByteBuffer(string: "a=" + String(repeating: "x", count: 200_000))) { $0.status }
            #expect(huge == .contentTooLarge)
            headers[.cookie] = "safehaven_form=%ZZ"
            let mangled = try await api.client.execute(uri: "/sign-in", method: .post, headers: headers,
                                                       body: ByteBuffer(bytes: Array("csrf=%ZZ%&email=".utf8) + [0xFF, 0xFE] + Array("&password=%00%".utf8))) { $0.status }
            #expect(mangled == .forbidden)
        }
    }
}
