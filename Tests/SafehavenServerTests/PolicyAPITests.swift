import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

@Suite struct PolicyAPITests {
    /// `safehaven route --data-dir` answers exactly as the running service, directory included.
    @Test(arguments: TestDatabase.available)
    func theCommandLineGivesTheServicesAnswer(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            for (from, to) in [("a@merton.gov.uk", "b@merton.gov.uk"), ("a@sutton.gov.uk", "b@sutton.gov.uk"), ("a@nhs.net", "b@merton.gov.uk"),
                               ("a@nhs.net", "b@nhs.net"), ("a@merton.gov.uk", "b@dept.gsi.gov.uk"), ("a@nhs.net", "x@gmail.com.cjsm.net")] {
                let service = try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": from, "to": to]).decode(RouteVerdict.self)
                let text = try await Commands.route(config: env.runtime.config, from: from, to: to, profile: nil, json: true)
                let cli = try JSONDecoder().decode(RouteVerdict.self, from: Data(text.utf8))
                #expect(cli == service, "\(from) → \(to)")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func routeAdviceAndCheckEndpoints(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await api.call(.post, "/api/v1/policy/route", json: ["from": "a@nhs.net", "to": "b@nhs.net"]).status == .unauthorized)
            let route = try await api.call(.post, "/api/v1/policy/route", token: token,
                                           json: ["from": "colleague.one@nhs.net", "to": "colleague.four@merton.gov.uk", "profile": "merton"])
            #expect(route.status == .ok)
            #expect(try route.json["secure"] as? Bool == false)
            #expect(try route.json["rule"] as? String == "none")
            #expect(try (route.json["reasons"] as? [String])?.isEmpty == false)
            #expect(try route.json["warnings"] as? [String] == [])
            // Organisations in the directory are their own networks and are protected from look-alikes.
            let inside = try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@merton.gov.uk", "to": "b@merton.gov.uk"])
            #expect(try inside.json["secure"] as? Bool == true)
            #expect(try inside.json["rule"] as? String == "network:Merton Council")
            let imitation = try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@merton.gov.uk", "to": "b@merten.gov.uk"])
            #expect(try imitation.json["rule"] as? String == "look-alike")
            #expect(try (imitation.json["warnings"] as? [String])?.first?.contains("merton.gov.uk") == true)
            let freemail = try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@gmail.com", "to": "b@gmail.com"])
            #expect(try freemail.json["secure"] as? Bool == false)
            let defaultProfile = try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@nhs.net", "to": "b@x.gsi.gov.uk"])
            #expect(try defaultProfile.json["rule"] as? String == "retired:gsi.gov.uk")
            #expect(try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@nhs.net", "to": "b@nhs.net", "profile": "mars"]).errorCode == "invalid_profile")
            #expect(try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "nope", "to": "b@nhs.net"]).errorCode == "invalid_from")
            #expect(try await api.call(.post, "/api/v1/policy/route", token: token, json: ["from": "a@nhs.net"]).errorCode == "invalid_to")

            let advice = try await api.call(.post, "/api/v1/policy/advice", token: token, json: [
                "marking": "OFFICIAL-SENSITIVE", "people": 40, "urgency": "routine", "from": "a@nhs.net", "to": "b@nhs.net"])
            #expect(advice.status == .ok)
            #expect(try advice.json["scale"] as? String == "large numbers")
            let channels = try #require(advice.json["channels"] as? [[String: Any]])
            #expect(channels.count == Channel.allCases.count)
            #expect(channels.first?["channel"] as? String == "safehaven")
            #expect((channels.first?["checklist"] as? [String: Any])?["steps"] as? [String] != nil)
            #expect(try await api.call(.post, "/api/v1/policy/advice", token: token, json: [
                "marking": "OFFICIAL", "people": 1, "urgency": "whenever", "from": "a@nhs.net", "to": "b@nhs.net"]).status == .unprocessableContent)

            let check = try await api.call(.post, "/api/v1/policy/check", token: token, json: ["text": "Baby Jones 943 476 5919", "names": ["Baby Jones"]])
            #expect(try check.json["clean"] as? Bool == false)
            #expect(try (check.json["findings"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["name", "nhs_number"])
            #expect(try await api.call(.post, "/api/v1/policy/check", token: token, json: ["text": "Core group minutes"]).json["clean"] as? Bool == true)

            let profiles = try await api.call(.get, "/api/v1/policy/profiles", token: token)
            #expect(profiles.status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func artefactsAreServedAsPrintableHTML(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let cover = try await api.call(.post, "/api/v1/artefacts/fax-cover-sheet", token: token, json: [
                "toName": "Dr A Patel", "toOrganisation": "St Helier Hospital", "toFax": "020 8296 0000", "fromName": "Alice Smith",
                "fromOrganisation": "Merton Council", "fromSwitchboard": "020 8274 4901", "pages": 2])
            #expect(cover.status == .ok)
            #expect(cover.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: cover.body).contains("Private and Confidential"))
            let envelope = try await api.call(.post, "/api/v1/artefacts/envelope", token: token, json: [
                "toName": "Bob Jones", "toAddress": "St Helier Hospital\nWrythe Lane", "returnAddress": "Merton Council\nLondon Road"])
            #expect(envelope.status == .ok)
            #expect(String(buffer: envelope.body).contains("to be opened by the addressee only"))
            #expect(try await api.call(.post, "/api/v1/artefacts/envelope", token: token, json: ["toName": "Bob"]).status == .unprocessableContent)
        }
    }

    @Test(arguments: TestDatabase.available)
    func sharesRefuseIdentifyingSubjectsAndRecordTheRouteVerdict(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bad = try await api.send(token: alice, API.share(["subject": "Referral for 943 476 5919"]), files: [("a.txt", Data("x".utf8))])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "personal_data_in_subject")
            let message = try #require((bad.json["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("an NHS number at characters 14–25"))
            #expect(!message.contains("943 476 5919"))
            let named = try await api.send(token: alice, API.share(["subject": "About Tommy", "about": ["Tommy Atkins"]]))
            #expect(named.errorCode == "personal_data_in_subject")
            #expect(env.runtime.blobs.count() == 0)

            let bulk = (0..<25).map { i in String(format: "%09d", 100_000_000 + i * 7919) }.compactMap { nine -> String? in
                let digits = nine.compactMap(\.wholeNumberValue)
                let sum = (0..<9).reduce(0) { $0 + digits[$1] * (10 - $1) }
                let check = 11 - sum % 11
                return check == 10 ? nil : nine + String(check == 11 ? 0 : check)
            }.joined(separator: "\n")
            // A list of people is personal data, whatever the sender says.
            #expect(try await api.send(token: alice, API.share(["message": "Cohort list:\n" + bulk])).errorCode == "invalid_basis")
            // Under consent, bulk identifiers still wait for a manager of the sender's organisation.
            try await env.consentedSubject("COHORT-1", for: people, manager: true)
            let sent = try await api.send(token: alice, API.share(["message": "Cohort list:\n" + bulk, "basis": "consent", "caseReferences": ["COHORT-1"]]))
            #expect(sent.status == .created)
            #expect(try sent.json["status"] as? String == "pending_authorisation")
            let checks = try #require(sent.json["policyChecks"] as? [String: Any])
            #expect(checks["profile"] as? String == "uk-current")
            #expect(checks["largeNumbers"] as? Bool == true)
            let routes = try #require(checks["routes"] as? [[String: Any]])
            #expect(routes.first?["to"] as? String == "bob@nhs.net")
            #expect((routes.first?["verdict"] as? [String: Any])?["secure"] as? Bool == false)
            let id = try #require(sent.json["id"] as? String)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            #expect(try await api.call(.get, "/api/v1/shares/\(id)", token: bob).json["policyChecks"] == nil)
        }
    }
}
