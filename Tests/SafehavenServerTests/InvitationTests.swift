import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenCrypto
@testable import SafehavenServer
import SafehavenMail
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// People without an account, on both databases: the invitation's link, what may and may not use
/// it up, what the invited person can do after, and what senders and administrators control.
@Suite struct InvitationTests {
    static let dana = "dana@familylaw.example.co.uk"

    /// Sends a share to Dana through the API and returns the share id and the raw link token
    /// (opened from the outbox the way the mail worker does).
    static func invite(_ api: API, _ env: TestEnvironment, token: String) async throws -> (String, String) {
        let sent = try await api.send(token: token, API.share(["recipients": [dana]]), files: [("letter.txt", Data("for the hearing".utf8))])
        #expect(sent.status == .created)
        let id = try #require(try sent.json["id"] as? String)
        let row = try #require(try await env.store.read { try await $0.outbox(states: [.queued], limit: 10) }.last { $0.kind == .invitation })
        let rendered = try MailRenderer(pages: try PageRenderer(), from: "n@example.org", kek: env.runtime.deps.kek, base: { "https://x.example" })
            .message(row).text
        let link = try #require(rendered.replacingOccurrences(of: "=\r\n", with: "").range(of: #"/invitations/[0-9a-f]{32}"#, options: .regularExpression))
        return (id, String(rendered.replacingOccurrences(of: "=\r\n", with: "")[link].dropFirst("/invitations/".count)))
    }

    static func accept(_ browser: inout Browser, _ token: String, password: String = "lantern-quartz-meadow-9", name: String = "Dana Reyes") async throws -> API.Reply {
        let form = try await browser.request(.get, "/invitations/\(token)")
        let csrf = try #require(Browser.field("csrf", in: String(buffer: form.body)))
        return try await browser.request(.post, "/invitations/\(token)", form: [
            "csrf": csrf, "name": name, "jobTitle": "Solicitor", "organisation": "Reyes Family Law", "phone": "020 7946 0000",
            "password": password, "confirm": password])
    }

    @Test(arguments: TestDatabase.available)
    func theLinkIsStoredHashedSurvivesScannersAndWorksOnce(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let (shareID, token) = try await Self.invite(api, env, token: alice)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM invitations WHERE token_hash = '\(token)'") == 0, "never stored as it is")
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM outbox WHERE payload LIKE '%\(token)%'") == 0, "sealed in the outbox too")
            // A scanner opens the link, and even posts the form as it found it: nothing is used up.
            var scanner = Browser(api: api)
            for _ in 0..<3 { #expect(try await scanner.request(.get, "/invitations/\(token)").status == .ok) }
            let form = try await scanner.request(.get, "/invitations/\(token)")
            let csrf = try #require(Browser.field("csrf", in: String(buffer: form.body)))
            let blank = try await scanner.request(.post, "/invitations/\(token)", form: ["csrf": csrf])
            #expect(String(buffer: blank.body).contains("error-summary"))
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM invitations WHERE used_at IS NOT NULL") == 0)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM tracking_events WHERE type = 'opened'") == 0)
            // Without the form cookie (another site posting it): refused, nothing used.
            var stranger = Browser(api: api)
            let forged = try await stranger.request(.post, "/invitations/\(token)", form: ["csrf": csrf, "name": "X", "jobTitle": "X",
                                                                                          "organisation": "X", "phone": "1", "password": "lantern-quartz-meadow-9", "confirm": "lantern-quartz-meadow-9"])
            #expect(String(buffer: forged.body).contains("The form expired"))
            // The person: details and a password, then straight to the authenticator app.
            var dana = Browser(api: api)
            let accepted = try await Self.accept(&dana, token)
            #expect(accepted.headers[.location] == "/account/totp")
            #expect(try await dana.request(.get, "/inbox").headers[.location] == "/account/totp", "nothing before the second factor")
            #expect(try await dana.request(.get, "/shares/\(shareID)").headers[.location] == "/account/totp")
            // Used up: a second person with the link gets nowhere.
            var late = Browser(api: api)
            #expect(try await late.request(.get, "/invitations/\(token)").status == .gone)
            #expect(try await api.call(.post, "/api/v1/sessions", json: ["email": Self.dana, "password": "lantern-quartz-meadow-9"]).status == .created)
            // The register has who actually received it, self-declared.
            let declared = try await env.store.count("SELECT COUNT(*) AS n FROM disclosures WHERE recipient_email = '\(Self.dana)' AND recipient_organisation LIKE '%self-declared%'")
            #expect(declared == 1)
            // Unknown and malformed links are simply not found.
            #expect(try await late.request(.get, "/invitations/\(String(repeating: "0", count: 32))").status == .notFound)
            #expect(try await late.request(.get, "/invitations/short").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func invitedPeopleReadAndReplyButSendNothingNew(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let (shareID, token) = try await Self.invite(api, env, token: alice)
            var dana = Browser(api: api)
            _ = try await Self.accept(&dana, token)
            // Through the API too, nothing before the authenticator app.
            let early = try await api.login(Self.dana, "lantern-quartz-meadow-9")
            #expect(try await api.call(.get, "/api/v1/shares/\(shareID)", token: early).errorCode == "second_factor_required")
            #expect(try await api.call(.get, "/api/v1/inbox", token: early).errorCode == "second_factor_required")
            let (totp, confirmed) = try await api.enableTOTP(token: early, password: "lantern-quartz-meadow-9")
            #expect(confirmed.status == .ok)
            let danaToken = try await api.login(Self.dana, "lantern-quartz-meadow-9", totp: totp.code(counter: TOTP.counter(at: env.clock.now()) + 1))
            #expect(try await api.call(.get, "/api/v1/shares/\(shareID)", token: danaToken).status == .ok)
            #expect(try await api.send(token: danaToken, API.share(["recipients": ["bob@nhs.net"]])).errorCode == "invited_reply_only")
            // In the browser, the staff's pages do not exist for them.
            env.clock.advance(30)
            var page = Browser(api: api)
            let form = try await page.request(.get, "/sign-in")
            let csrf = try #require(Browser.field("csrf", in: String(buffer: form.body)))
            _ = try await page.request(.post, "/sign-in", form: ["csrf": csrf, "email": Self.dana, "password": "lantern-quartz-meadow-9",
                                                                 "code": totp.code(counter: TOTP.counter(at: env.clock.now()) + 1)])
            #expect(try await page.request(.get, "/inbox").status == .ok)
            for path in ["/rules", "/archive-passwords", "/rules/fax-cover-sheet", "/compose", "/admin", "/shares/\(shareID)/export"] {
                let status = try await page.request(.get, path).status
                #expect(status == .notFound || status == .forbidden, "\(path) answered \(status)")
            }
            let reply = try await api.send(token: danaToken, ["message": "Received"], to: "/api/v1/shares/\(shareID)/replies")
            #expect(reply.status == .created)
        }
    }

    @Test(arguments: TestDatabase.available)
    func sendersResendOrWithdrawAndRulesRefuseWhatTheyShould(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            var alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let (shareID, first) = try await Self.invite(api, env, token: alice)
            // Resent: the first link stops working, a new one goes.
            try await env.runtime.invitations.resend(shareID, email: Self.dana, by: people.alice)
            var browser = Browser(api: api)
            #expect(try await browser.request(.get, "/invitations/\(first)").status == .gone)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'invitation'") == 2)
            // Withdrawn: no link works.
            try await env.runtime.invitations.withdraw(shareID, email: Self.dana, by: people.alice)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM invitations WHERE withdrawn_at IS NULL") == 0)
            // Only the sender; others do not learn the share exists.
            await #expect(throws: SafehavenError.self) { try await env.runtime.invitations.resend(shareID, email: Self.dana, by: people.carol) }
            // Expired after seven days.
            let (_, late) = try await Self.invite(api, env, token: alice)
            env.clock.advance(7 * 86_400 + 1)
            #expect(try await browser.request(.get, "/invitations/\(late)").status == .gone)
            alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            // A look-alike of a known secure domain is never invited.
            let lookalike = try await api.send(token: alice, API.share(["recipients": ["someone@nhs-net.co.uk"]]))
            #expect(lookalike.status == .unprocessableContent)
            // The organisation's rule: nobody, then only listed domains.
            let admin = try await env.runtime.directory.createUser(.init(email: "ada@merton.gov.uk", name: "Ada", organisation: people.alice.organisationID,
                                                                          jobTitle: "Admin", phone: "1", roles: [.admin])).user
            try await env.runtime.directory.setExternalPolicy(.init(rule: .none), organisationID: people.alice.organisationID, by: admin)
            #expect(try await api.send(token: alice, API.share(["recipients": ["eve@example.org"]])).errorCode == "unknown_recipient")
            try await env.runtime.directory.setExternalPolicy(.init(rule: .listed, domains: ["familylaw.example.co.uk"]),
                                                              organisationID: people.alice.organisationID, by: admin)
            #expect(try await api.send(token: alice, API.share(["recipients": ["eve@example.org"]])).errorCode == "unknown_recipient")
            #expect(try await api.send(token: alice, API.share(["recipients": ["frank@familylaw.example.co.uk"]])).status == .created)
            // Another organisation's administrator cannot change Merton's rule.
            let other = try await env.runtime.directory.createUser(.init(email: "ops@nhs.net", name: "Ops", organisation: people.bob.organisationID,
                                                                          jobTitle: "Admin", phone: "1", roles: [.admin])).user
            await #expect(throws: SafehavenError.self) {
                try await env.runtime.directory.setExternalPolicy(.init(rule: .any), organisationID: people.alice.organisationID, by: other)
            }
        }
    }
}

extension InvitationTests {
    /// Twenty people (or scripts) race to use one link: exactly one gets the account.
    @Test(arguments: TestDatabase.available)
    func aLinkUsedByManyAtOnceWorksForExactlyOne(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let (_, token) = try await Self.invite(api, env, token: alice)
            let service = env.runtime.invitations
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<20 {
                    group.addTask {
                        (try? await service.accept(token, .init(name: "Racer \(n)", jobTitle: "J", organisation: "O", phone: "1",
                                                                password: "racing-lantern-quartz-\(n)"))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let user = try #require(try await env.store.read { try await $0.user(email: Self.dana) })
            #expect(!user.awaitingInvitation && user.name.hasPrefix("Racer "))
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM invitations WHERE used_at IS NOT NULL") == 1)
        }
    }
}
