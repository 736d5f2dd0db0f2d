import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import NIOFoundationCompat
import SafehavenTestSupport
import Testing

/// The journeys of the web interface through its forms, on both databases: compose step by step,
/// replies in their thread, view-only viewing, administration within its bounds.
@Suite struct WebJourneyTests {
    static func csrf(_ reply: API.Reply) throws -> String {
        try #require(Browser.field("csrf", in: String(buffer: reply.body)))
    }

    static func text(_ reply: API.Reply) -> String { String(buffer: reply.body) }

    /// The answers of the details step, as the form sends them.
    static func details(_ extra: [String: String] = [:]) -> [String: String] {
        ["recipients": "bob@nhs.net", "subject": "Strategy meeting papers", "marking": "OFFICIAL-SENSITIVE",
         "purpose": "For Friday's strategy meeting", "handling": "Do not forward", "message": "Line one\r\nLine two",
         "expiry": "14", "requireReceipt": "yes", "basis": "no-personal-data"].merging(extra) { $1 }
    }

    @Test(arguments: TestDatabase.available)
    func composeChecksEachStepAndSendsOnlyWhenEverythingHolds(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            var alice = Browser(api: api)
            _ = try await alice.signIn("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let csrf = try Self.csrf(try await alice.request(.get, "/compose"))
            // Step 1: every problem with the addresses at once, linked to the field.
            let bad = Self.text(try await alice.request(.post, "/compose/recipients",
                                                        form: ["csrf": csrf, "recipients": "bob@nhs.net, nobody@nowhere.example, not-an-address"]))
            #expect(bad.contains("href=\"#recipients\"") && bad.contains("nobody@nowhere.example") && bad.contains("not-an-address is not an email address"))
            // Step 2: the recipient checked, with the first-time warning that must be confirmed.
            let step2 = Self.text(try await alice.request(.post, "/compose/recipients", form: ["csrf": csrf, "recipients": "bob@nhs.net"]))
            #expect(step2.contains("Bob") && step2.contains("not sent a share to this address before") && step2.contains("id=\"confirmRecipients\""))
            let unconfirmed = Self.text(try await alice.request(.post, "/compose/details", form: Self.details(["csrf": csrf])))
            #expect(unconfirmed.contains("href=\"#confirmRecipients\""))
            // A subject that identifies someone is refused beside the field, without repeating it.
            let named = Self.text(try await alice.request(.post, "/compose/details",
                                                          form: Self.details(["csrf": csrf, "confirmRecipients": "yes", "subject": "Jay born 03/04/2015"])))
            #expect(named.contains("href=\"#subject\"") && named.contains("error-summary"))
            #expect(!named.components(separatedBy: "error-summary")[1].components(separatedBy: "</div>")[0].contains("03/04/2015"))
            // Step 3: check your answers, every answer carried.
            let check = Self.text(try await alice.request(.post, "/compose/details", form: Self.details(["csrf": csrf, "confirmRecipients": "yes"])))
            #expect(check.contains("Check your answers") && check.contains("For Friday&#39;s strategy meeting") || check.contains("For Friday's strategy meeting"))
            #expect(check.contains("name=\"confirmRecipients\" value=\"yes\""))
            // "Change" goes back with every answer kept.
            let back = Self.text(try await alice.request(.post, "/compose/change", form: Self.details(["csrf": csrf, "goto": "details", "confirmRecipients": "yes"])))
            #expect(back.contains("value=\"Strategy meeting papers\"") && back.contains("Do not forward</textarea>"))
            // Send without the form token, or with the confirmation removed: nothing is stored.
            let fields = Self.details(["confirmRecipients": "yes"]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
            let forged = try await alice.request(.post, "/compose/send", multipart: fields, files: [("a.txt", Data("x".utf8))])
            #expect(forged.status == .forbidden)
            let tampered = try await alice.request(.post, "/compose/send", multipart: [("csrf", csrf)] + fields.filter { $0.name != "confirmRecipients" },
                                                   files: [("a.txt", Data("x".utf8))])
            #expect(tampered.status == .ok && Self.text(tampered).contains("href=\"#recipients\"") == false && Self.text(tampered).contains("error-summary"))
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM shares") == 0)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM share_files") == 0)
            // Sent: one share, its files intact, the message's line breaks kept as typed.
            let content = Data((0..<100_000).map { UInt8($0 % 251) })
            let sent = try await alice.request(.post, "/compose/send", multipart: [("csrf", csrf)] + fields,
                                               files: [("chronology.pdf", content), ("notes.txt", Data("n".utf8))])
            #expect(sent.status == .seeOther)
            let location = try #require(sent.headers[.location])
            #expect(location.hasSuffix("?sent=1"))
            let confirmation = Self.text(try await alice.request(.get, location))
            #expect(confirmation.contains("Share sent") && confirmation.contains("chronology.pdf"))
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM shares") == 1)
            var bob = Browser(api: api)
            _ = try await bob.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            let id = String(location.dropFirst("/shares/".count).prefix { $0 != "?" })
            let page = Self.text(try await bob.request(.get, "/shares/\(id)"))
            #expect(page.contains("Line one\nLine two") && !page.contains("Share sent"))
            let fileID = try #require(page.components(separatedBy: "/shares/\(id)/files/").dropFirst().first?.prefix { $0 != "\"" })
            let download = try await bob.request(.get, "/shares/\(id)/files/\(fileID)")
            #expect(Data(buffer: download.body) == content || Data(buffer: download.body) == Data("n".utf8))
            // The second time, the warning is gone: Alice has sent to Bob before.
            let again = Self.text(try await alice.request(.post, "/compose/recipients", form: ["csrf": csrf, "recipients": "bob@nhs.net"]))
            #expect(!again.contains("not sent a share to this address before") && !again.contains("id=\"confirmRecipients\""))
        }
    }

    @Test(arguments: TestDatabase.available)
    func repliesGoBackToTheSenderAndShowTheirConversation(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let id = try #require(try await api.send(token: token, API.share(["subject": "Meeting papers"])).json["id"] as? String)
            var bob = Browser(api: api)
            _ = try await bob.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            let form = try await bob.request(.get, "/shares/\(id)/reply")
            #expect(form.status == .ok && Self.text(form).contains("Reply to Alice"))
            let csrf = try Self.csrf(form)
            let sent = try await bob.request(.post, "/shares/\(id)/reply", multipart: [("csrf", csrf), ("message", "Read, thank you\r\nBob")],
                                             files: [("answer.txt", Data("answer".utf8))])
            let location = try #require(sent.headers[.location])
            let replyID = String(location.dropFirst("/shares/".count).prefix { $0 != "?" })
            var alice = Browser(api: api)
            _ = try await alice.signIn("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let page = Self.text(try await alice.request(.get, "/shares/\(replyID)"))
            #expect(page.contains("Re: Meeting papers") && page.contains("This conversation") && page.contains("href=\"/shares/\(id)\""))
            #expect(page.contains("Read, thank you\nBob") && page.contains("answer.txt"))
            // The sender cannot reply to their own share; a stranger does not see it exists.
            #expect(try await alice.request(.get, "/shares/\(id)/reply").status == .forbidden)
            var carol = Browser(api: api)
            _ = try await carol.signIn("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            #expect(try await carol.request(.get, "/shares/\(id)/reply").status == .notFound)
            #expect(try await carol.request(.get, "/shares/\(replyID)").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func viewOnlyFilesAreShownWithAWatermarkAndNeverDownloaded(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
            let sent = try await api.send(token: token, API.share(["subject": "Notes", "viewOnly": true]),
                                          files: [("notes.txt", Data("Seen on <Monday>".utf8)), ("photo.png", png), ("scan.pdf", Data([0x25, 0x50, 0xE2, 0x00]))])
            let id = try #require(try sent.json["id"] as? String)
            let files = try #require(try sent.json["files"] as? [[String: Any]])
            func fileID(_ name: String) -> String { files.first { $0["name"] as? String == name }?["id"] as? String ?? "" }
            var bob = Browser(api: api)
            _ = try await bob.signIn("bob@nhs.net", TestEnvironment.bobPassword)
            let page = Self.text(try await bob.request(.get, "/shares/\(id)"))
            #expect(!page.contains(" download>") && page.contains("/files/\(fileID("notes.txt"))/view"))
            let text = try await bob.request(.get, "/shares/\(id)/files/\(fileID("notes.txt"))/view")
            #expect(text.headers[.cacheControl] == "no-store")
            #expect(Self.text(text).contains("Seen on &lt;Monday&gt;") && Self.text(text).contains("Shown to Bob"))
            #expect(Self.text(try await bob.request(.get, "/shares/\(id)/files/\(fileID("photo.png"))/view")).contains("src=\"data:image/png;base64,"))
            #expect(Self.text(try await bob.request(.get, "/shares/\(id)/files/\(fileID("scan.pdf"))/view")).contains("cannot be shown in the page"))
            #expect(try await bob.request(.get, "/shares/\(id)/files/\(fileID("notes.txt"))").status == .forbidden)
            let viewed = try await env.store.count("SELECT COUNT(*) AS n FROM tracking_events WHERE type = 'viewed'")
            #expect(viewed == 3)
            var carol = Browser(api: api)
            _ = try await carol.signIn("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            #expect(try await carol.request(.get, "/shares/\(id)/files/\(fileID("notes.txt"))/view").status == .notFound)
        }
    }

    @Test func onlyTextAndPicturesRecognisedByTheirBytesAreViewable() {
        #expect(ShareService.classify(Array("a,b\n1,2\n".utf8), name: "list.csv") == .text("a,b\n1,2\n"))
        #expect(ShareService.classify(Array("<svg onload=x>".utf8), name: "p.svg") == .text("<svg onload=x>"))
        if case .notViewable = ShareService.classify(Array("%PDF-1.4".utf8), name: "r.pdf") {} else { Issue.record("a PDF was viewable") }
        if case .notViewable = ShareService.classify([0x68, 0x00, 0x69], name: "binary.txt") {} else { Issue.record("binary text was viewable") }
        if case .image(_, let type) = ShareService.classify([0xFF, 0xD8, 0xFF, 0xE0, 1, 2], name: "photo.txt") { #expect(type == "image/jpeg") } else {
            Issue.record("a JPEG was not recognised by its bytes")
        }
    }

    @Test(arguments: TestDatabase.available)
    func administratorsManageOnlyWhatTheyAdminister(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let (orgAdmin, orgPassword) = try await env.runtime.directory.createUser(.init(
                email: "admin@merton.gov.uk", name: "Ada Admin", organisation: people.alice.organisationID, jobTitle: "Administrator",
                phone: "020 1", roles: [.admin]))
            let (_, servicePassword) = try await env.runtime.directory.createUser(.init(
                email: "operator@merton.gov.uk", name: "Oscar Operator", organisation: people.alice.organisationID, jobTitle: "Operator",
                phone: "020 2", roles: [.admin, .serviceAdmin]))
            var ada = Browser(api: api)
            _ = try await ada.signIn(orgAdmin.email, try #require(orgPassword))
            let home = try await ada.request(.get, "/admin")
            #expect(home.status == .ok && Self.text(home).contains(">Merton") && !Self.text(home).contains("nhs.net"))
            #expect(!Self.text(home).contains("Add an organisation") && !Self.text(home).contains("Check the audit trail"))
            #expect(try await ada.request(.get, "/admin/organisations/\(people.bob.organisationID)").status == .notFound)
            #expect(try await ada.request(.get, "/admin/users/\(people.bob.id)").status == .notFound)
            let csrf = try Self.csrf(home)
            #expect(try await ada.request(.post, "/admin/users/\(people.bob.id)/disable", form: ["csrf": csrf]).status == .notFound)
            #expect(try await ada.request(.post, "/admin/organisations", form: ["csrf": csrf, "name": "X", "domains": "x.gov.uk"]).status == .forbidden)
            // Adding someone: a one-time password shown once, to be changed at first sign-in.
            let added = Self.text(try await ada.request(.post, "/admin/organisations/\(people.alice.organisationID)/users", form: [
                "csrf": csrf, "email": "dan@merton.gov.uk", "name": "Dan <b>Lee</b>", "jobTitle": "Family support worker",
                "phone": "020 3", "role-practitioner": "yes", "role-service-admin": "yes"]))
            #expect(added.contains("href=\"#roles\"") || added.contains("service administrator"))
            let created = Self.text(try await ada.request(.post, "/admin/organisations/\(people.alice.organisationID)/users", form: [
                "csrf": csrf, "email": "dan@merton.gov.uk", "name": "Dan <b>Lee</b>", "jobTitle": "Family support worker",
                "phone": "020 3", "role-practitioner": "yes"]))
            let once = try #require(created.components(separatedBy: "id=\"one-time-password\">").dropFirst().first?.prefix { $0 != "<" })
            #expect(created.contains("Dan &lt;b&gt;Lee&lt;/b&gt;"))
            var dan = Browser(api: api)
            let signedIn = try await dan.signIn("dan@merton.gov.uk", String(once))
            #expect(signedIn.headers[.location] == "/account/password")
            #expect(try await dan.request(.get, "/admin").headers[.location] == "/account/password")
            // A practitioner does not see that administration exists.
            var alice = Browser(api: api)
            _ = try await alice.signIn("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await alice.request(.get, "/admin").status == .notFound)
            // The service's administrator adds organisations and checks the audit trail.
            var oscar = Browser(api: api)
            _ = try await oscar.signIn("operator@merton.gov.uk", try #require(servicePassword))
            let token = try Self.csrf(try await oscar.request(.get, "/admin"))
            let org = try await oscar.request(.post, "/admin/organisations", form: ["csrf": token, "name": "Kingston Council",
                                                                                  "domains": "kingston.gov.uk\r\nrbk.gov.uk", "switchboard": "020 4", "address": "Guildhall\r\nKingston"])
            #expect(org.status == .seeOther, "\(Self.text(org).components(separatedBy: "error-summary__list").last?.prefix(300) ?? "")")
            let subdomain = Self.text(try await oscar.request(.post, "/admin/organisations", form: ["csrf": token, "name": "Again", "domains": "a.b.gov.uk"]))
            #expect(subdomain.contains("href=\"#domains\""))
            let taken = Self.text(try await oscar.request(.post, "/admin/organisations", form: ["csrf": token, "name": "Again", "domains": "kingston.gov.uk"]))
            #expect(taken.contains("href=\"#domains\""))
            let audit = Self.text(try await oscar.request(.post, "/admin/audit/verify", form: ["csrf": token]))
            #expect(audit.contains("The audit trail is intact"))
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("organisation.created") && actions.contains("user.created"))
        }
    }
}
