import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing

/// An organisation's own identifiers (hospital numbers, case references) are caught in subjects
/// sent by its staff, and only theirs.
@Suite struct IdentifierPatternTests {
    @Test(arguments: TestDatabase.available)
    func anOrganisationsHospitalNumbersAreRefusedInSubjects(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let carol = try await api.login("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            let subject = "Discharge plan RJ71234567"
            #expect(try await api.send(token: alice, API.share(["subject": subject])).status == .created)
            try await env.runtime.directory.setIdentifierPattern(.init(name: "Hospital number", pattern: "RJ7[0-9]{7}"),
                                                                 organisation: "merton.gov.uk")
            let refused = try await api.send(token: alice, API.share(["subject": subject]))
            #expect(refused.status == .unprocessableContent && refused.errorCode == "personal_data_in_subject")
            #expect(try !refused.error().message.contains("RJ71234567"))
            // Another organisation's staff are not held to Merton's patterns.
            #expect(try await api.send(token: carol, API.share(to: ["bob@nhs.net"], ["subject": subject])).status == .created)
            // The check endpoint applies the checking person's organisation's patterns.
            let checked = try await api.call(.post, "/api/v1/policy/check", token: alice, json: ["text": subject])
            #expect(try (checked.json["findings"] as? [[String: Any]])?.first?["kind"] as? String == "reference")
            try await env.runtime.directory.removeIdentifierPattern(name: "Hospital number", organisation: people.alice.organisationID)
            #expect(try await api.send(token: alice, API.share(["subject": subject])).status == .created)
        }
    }

    @Test(arguments: ["", ".*", "a?", "[0-9]*", "(", String(repeating: "a", count: 201), "x|"])
    func patternsThatMatchAnythingOrAreBrokenAreRefused(pattern: String) {
        #expect(throws: SafehavenError.self) { try IdentifierPattern(name: "x", pattern: pattern).compiled() }
    }
}
