import Foundation
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// The administrator's list of organisations accredited to the secure email standard.
@Suite struct AccreditedTests {
    static let csv = """
        Organisation name,Domain
        "Barnardo's, London",barnardos.org.uk
        Sutton Council,SUTTON.GOV.UK.
        "The ""Quoted"" Trust",quoted-trust.org.uk\r
        """

    @Test(arguments: TestDatabase.available)
    func importedOrganisationsExchangeSecurelyAndRemovalEndsIt(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let policy = env.runtime.policy
            #expect(try await !policy.route(from: "a@barnardos.org.uk", to: "b@sutton.gov.uk", profile: nil).secure)
            #expect(try await env.runtime.accredited.importCSV(Self.csv, source: "csv:list.csv") == 3)
            let list = try await env.runtime.accredited.list()
            #expect(list.map(\.domain) == ["barnardos.org.uk", "quoted-trust.org.uk", "sutton.gov.uk"])
            #expect(list.first?.organisation == "Barnardo's, London" && list[1].organisation == "The \"Quoted\" Trust")
            let verdict = try await policy.route(from: "a@barnardos.org.uk", to: "b@sutton.gov.uk", profile: nil)
            #expect(verdict.secure && verdict.rule == "community:Secure email standard (DCB1596)")
            #expect(try await policy.route(from: "a@nhs.net", to: "b@quoted-trust.org.uk", profile: nil).secure)
            // A look-alike of a listed organisation is flagged.
            #expect(try await policy.route(from: "a@barnard0s.org.uk", to: "b@nhs.net", profile: nil).rule == "look-alike")
            // The command line answers the same with the data directory.
            let cli = try await Commands.route(config: env.runtime.config, from: "a@barnardos.org.uk", to: "b@sutton.gov.uk", profile: nil, json: false)
            #expect(cli.hasPrefix("SECURE"))
            try await env.runtime.accredited.remove("barnardos.org.uk")
            #expect(try await !policy.route(from: "a@barnardos.org.uk", to: "b@sutton.gov.uk", profile: nil).secure)
            await #expect(throws: SafehavenError.self) { try await env.runtime.accredited.remove("barnardos.org.uk") }
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 100) }.map(\.action)
            #expect(actions.filter { $0 == "policy.accredited_list_changed" }.count == 2)
        }
    }

    @Test(arguments: [
        "domain,organisation\ngmail.com,Free mail\n",
        "domain,organisation\ngov.uk,Everyone\n",
        "domain,organisation\nnot a domain,Broken\n",
        "domain,organisation\nok.org.uk,\n",
        "domain,organisation\nok.org.uk\n",
        "",
        "domain,organisation\n",
        "domain,organisation\ngood.org.uk,Good\ngmail.com,Free mail\n",
    ])
    func aBadRowImportsNothing(csv: String) async throws {
        try await TestEnvironment.with(.sqlite) { env in
            _ = try? await env.runtime.accredited.importCSV("domain,organisation\nfine.org.uk,Fine\n", source: "first")
            let before = try await env.runtime.accredited.list()
            await #expect(throws: SafehavenError.self) { try await env.runtime.accredited.importCSV(csv, source: "bad") }
            #expect(try await env.runtime.accredited.list() == before)
        }
    }

    @Test func policeForcesCurrentAddressesMeetTheStandard() throws {
        let engine = RouteEngine(policy: BuiltInProfiles.ukCurrent)
        #expect(try engine.evaluate(from: "officer@met.police.uk", to: "nurse@nhs.net").secure)
        #expect(try engine.evaluate(from: "officer@kent.police.uk", to: "officer@met.pnn.police.uk").secure)
    }
}
