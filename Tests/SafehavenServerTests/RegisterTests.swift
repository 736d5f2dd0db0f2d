import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// The register beyond Safehaven's own shares, on both databases: disclosures made another way
/// with their checklist, decisions not to share, corrections that leave the original, each
/// person's scope, and the export.
@Suite struct RegisterTests {
    static func telephone(_ extra: [String: Any] = [:]) -> [String: Any] {
        ["kind": "disclosure", "method": "telephone", "reason": "Safeguarding concern raised by the school", "informationType": "Attendance record, OFFICIAL-SENSITIVE",
         "recipientName": "Dr Patel", "recipientJobTitle": "GP", "recipientOrganisation": "Wrythe Surgery", "recipientPhone": "020 8296 0000",
         "confirmations": RegisterService.checklist(for: .telephone), "lawfulBasis": "no-personal-data"].merging(extra) { $1 }
    }

    @Test(arguments: TestDatabase.available)
    func disclosuresByOtherChannelsNeedTheirChecklistAndEveryField(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(!RegisterService.checklist(for: .telephone).isEmpty)
            let unconfirmed = try await api.call(.post, "/api/v1/register", token: alice, json: Self.telephone(["confirmations": []]))
            #expect(unconfirmed.errorCode == "invalid_confirmations")
            let nameless = try await api.call(.post, "/api/v1/register", token: alice, json: Self.telephone(["recipientName": ""]))
            #expect(nameless.errorCode == "invalid_recipient_name")
            let byHand = try await api.call(.post, "/api/v1/register", token: alice, json: Self.telephone(["method": "safehaven"]))
            #expect(byHand.errorCode == "invalid_method")
            let future = try await api.call(.post, "/api/v1/register", token: alice,
                                            json: Self.telephone(["at": ISODate.format(env.clock.now().addingTimeInterval(86_400))]))
            #expect(future.errorCode == "invalid_at")
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM disclosures") == 0, "refusals change nothing")
            let saved = try await api.call(.post, "/api/v1/register", token: alice, json: Self.telephone())
            #expect(saved.status == .created)
            let confirmations = try saved.json["confirmations"] as? [String]
            #expect(confirmations?.count == RegisterService.checklist(for: .telephone).count)
            let decision = try await api.call(.post, "/api/v1/register", token: alice, json: [
                "kind": "decision_not_to_share", "reason": "No consent and no safeguarding concern", "informationType": "Family history",
                "recipientOrganisation": "A housing association"])
            let method = try decision.json["method"] as? String
            #expect(decision.status == .created && method == "none")
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 100) }.map(\.action)
            #expect(actions.filter { $0 == "register.recorded" }.count == 2)
            _ = people
        }
    }

    @Test(arguments: TestDatabase.available)
    func correctionsLeaveTheOriginalAndScopeHoldsEverywhere(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let first = try #require(try await api.call(.post, "/api/v1/register", token: alice, json: Self.telephone()).json["id"] as? String)
            let corrected = try await api.call(.post, "/api/v1/register/\(first)/corrections", token: alice,
                                               json: Self.telephone(["recipientName": "Dr Priya Patel"]))
            let corrects = try corrected.json["corrects"] as? String
            #expect(corrected.status == .created && corrects == first)
            let original = try #require(try await env.store.read { try await $0.disclosure(id: first) })
            #expect(original.recipientName == "Dr Patel", "the original is never changed")
            // A colleague in the same organisation, not a manager, neither sees nor corrects Alice's records.
            let dev = try await env.runtime.directory.createUser(.init(email: "dev@merton.gov.uk", name: "Dev Shah", organisation: people.alice.organisationID,
                                                                        jobTitle: "Social worker", phone: "1", password: "orbit-saffron-kettle-57")).user
            let devToken = try await api.login(dev.email, "orbit-saffron-kettle-57")
            #expect((try await api.call(.get, "/api/v1/register", token: devToken).json["disclosures"] as? [Any])?.isEmpty == true)
            #expect(try await api.call(.post, "/api/v1/register/\(first)/corrections", token: devToken, json: Self.telephone()).status == .notFound)
            // Another organisation's officer: not found either.
            let sam = try await env.runtime.directory.createUser(.init(email: "ig@sutton.gov.uk", name: "Sam Grey", organisation: "sutton.gov.uk",
                                                                        jobTitle: "DPO", phone: "1", roles: [.igOfficer], password: "saffron-kettle-orbit-56")).user
            let samToken = try await api.login(sam.email, "saffron-kettle-orbit-56")
            #expect(try await api.call(.post, "/api/v1/register/\(first)/corrections", token: samToken, json: Self.telephone()).status == .notFound)
            // Merton's officer sees both, and the export holds every field, formulas defused.
            let iris = try await env.runtime.directory.createUser(.init(email: "ig@merton.gov.uk", name: "Iris Green", organisation: "merton.gov.uk",
                                                                         jobTitle: "DPO", phone: "1", roles: [.igOfficer], password: "saffron-kettle-orbit-55")).user
            #expect(try await env.runtime.register.disclosures(for: iris).count == 2)
            _ = try await env.runtime.register.record(.init(kind: .received, method: .none, reason: "=HYPERLINK(\"x\")", informationType: "Report"),
                                                      by: people.alice)
            let csv = RegisterService.csv(try await env.runtime.register.exportRows(for: iris))
            let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 4 && lines[0] == RegisterService.columns.map { "\"\($0)\"" }.joined(separator: ","))
            #expect(csv.contains("\"'=HYPERLINK(\"\"x\"\")\"") && csv.contains("Dr Priya Patel") && csv.contains("Wrythe Surgery"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func theCommandLineExportsAnOrganisationsRegister(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            _ = try await env.runtime.register.record(.init(kind: .decisionNotToShare, method: .none, reason: "No lawful basis",
                                                            informationType: "Case notes", recipientOrganisation: "A landlord"), by: people.alice)
            let rows = try await env.runtime.register.exportRows(organisation: "merton.gov.uk")
            #expect(rows.count == 1 && rows[0][1] == "decision_not_to_share" && rows[0].count == RegisterService.columns.count)
            #expect(try await env.runtime.register.exportRows(organisation: "nhs.net").isEmpty)
            _ = api
        }
    }
}
