import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCLI
import SafehavenCore
import SafehavenMail
@testable import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// The records pillar end to end through the API, on both databases: consent that must cover the
/// share, sharing without consent held for a manager, the register naming the authoriser, consent
/// withdrawal alerting senders, the off-site and removable-media logs with reminders, a
/// misdirection incident recalled in one action, scope, audit and the exports.
@Suite struct RecordsTests {
    static let team = "Children's services"
    static let moPassword = "lantern-copper-meadow-31"
    static let irisPassword = "harbour-violet-stencil-28"
    static let purpose = "Child protection strategy discussion"

    struct Office {
        let alice: String
        let mo: String
        let iris: String
        let bob: String
        let people: TestEnvironment.People
    }

    /// Alice and her manager Mo in one team at Merton, and Iris, Merton's data protection officer.
    static func office(_ api: API, _ env: TestEnvironment, _ people: TestEnvironment.People) async throws -> Office {
        let directory = env.runtime.directory
        let merton = people.alice.organisationID
        _ = try await directory.createUser(.init(email: "mo@merton.gov.uk", name: "Mo Khan", organisation: merton, jobTitle: "Team manager",
                                                 department: team, phone: "1", roles: [.manager], password: moPassword))
        _ = try await directory.createUser(.init(email: "iris@merton.gov.uk", name: "Iris Green", organisation: merton, jobTitle: "Data protection officer",
                                                 phone: "1", roles: [.igOfficer], password: irisPassword))
        try await env.store.execute("UPDATE users SET department = '\(team.replacingOccurrences(of: "'", with: "''"))' WHERE email = 'alice@merton.gov.uk'")
        return Office(alice: try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword),
                      mo: try await api.login("mo@merton.gov.uk", moPassword), iris: try await api.login("iris@merton.gov.uk", irisPassword),
                      bob: try await api.login("bob@nhs.net", TestEnvironment.bobPassword), people: people)
    }

    /// Fresh sessions for everyone after the clock has moved on past their lifetime.
    static func office(signingInAgain api: API, _ people: TestEnvironment.People) async throws -> Office {
        Office(alice: try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword), mo: try await api.login("mo@merton.gov.uk", moPassword),
               iris: try await api.login("iris@merton.gov.uk", irisPassword), bob: try await api.login("bob@nhs.net", TestEnvironment.bobPassword), people: people)
    }

    static func subject(_ api: API, _ token: String, _ reference: String = "CP-0113") async throws -> SubjectReply {
        try await api.call(.post, "/api/v1/subjects", token: token, json: ["caseReference": reference, "displayName": "Jamie <b>Doe</b>"]).decode()
    }

    static func consent(_ api: API, _ token: String, _ reference: String = "CP-0113", recipients: [String] = ["nhs.net"]) async throws -> ConsentReply {
        try await api.call(.post, "/api/v1/consents", token: token, json: [
            "caseReference": reference, "givenBy": "parent", "giverName": "Sam Doe", "purposes": [purpose], "recipients": recipients,
            "information": "Health visiting notes", "limits": "Not to be shared with the school"]).decode()
    }

    static func share(_ extra: [String: Any], to recipients: [String] = ["bob@nhs.net"]) -> [String: Any] {
        API.share(to: recipients, ["purpose": purpose, "caseReferences": ["CP-0113"]].merging(extra) { $1 })
    }

    static func register(_ api: API, _ token: String) async throws -> [RegisterRowReply] {
        try await api.call(.get, "/api/v1/register", token: token).decode(RegisterReply.self).disclosures
    }

    static func outbox(_ env: TestEnvironment, _ kind: OutboxMessage.Kind) async throws -> [OutboxMessage] {
        try await env.store.read { try await $0.outbox(states: OutboxMessage.State.allCases, limit: 500) }.filter { $0.kind == kind }
    }

    /// Every notice queued so far, written as the email it becomes: none names the person, the case or the share.
    static func noticesKeepQuiet(_ env: TestEnvironment, about secrets: [String]) async throws {
        let renderer = MailRenderer(pages: try PageRenderer(), from: "notices@example.org", kek: env.runtime.deps.kek, base: { "https://safehaven.example.org" })
        let rows = try await env.store.read { try await $0.outbox(states: OutboxMessage.State.allCases, limit: 500) }
        #expect(!rows.isEmpty)
        for row in rows {
            let message = try renderer.message(row)
            for secret in secrets { #expect(!(message.text + message.html + message.subject).contains(secret), "\(row.kind) names \(secret)") }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aShareUnderConsentGoesAndOneItDoesNotCoverIsRefused(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let office = try await Self.office(api, env, people)
            let subject = try await Self.subject(api, office.alice)
            #expect(try await api.call(.post, "/api/v1/subjects", token: office.alice,
                                       json: ["caseReference": " cp-0113", "displayName": "Other"]).errorCode == "case_reference_taken")
            // A consent given two years ago and due for review a year ago is listed for review (and still counts until reviewed).
            #expect((try await api.call(.get, "/api/v1/consents?due=review", token: office.alice).json["consents"] as? [Any])?.isEmpty == true)
            let old = try await api.call(.post, "/api/v1/consents", token: office.alice, json: [
                "caseReference": "CP-0113", "givenBy": "carer", "giverName": "Pat Doe", "purposes": ["Respite care"], "recipients": ["nhs.net"],
                "information": "Care plan", "givenAt": ISODate.format(env.clock.now().addingTimeInterval(-730 * 86_400)),
                "reviewBy": ISODate.format(env.clock.now().addingTimeInterval(-365 * 86_400))]).decode(ConsentReply.self)
            let due = try await api.call(.get, "/api/v1/consents?due=review", token: office.alice).json["consents"] as? [[String: Any]]
            #expect(due?.compactMap { $0["id"] as? String } == [old.id])
            #expect(try await api.call(.post, "/api/v1/consents", token: office.alice, json: [
                "caseReference": "CP-0113", "givenBy": "carer", "giverName": "Pat Doe", "purposes": ["Respite care"], "recipients": ["not a domain"],
                "information": "Care plan"]).errorCode == "invalid_recipients")
            // No consent for this purpose yet: refused with the reason, nothing stored.
            let none = try await api.send(token: office.alice, Self.share(["basis": "consent"]))
            #expect(none.errorCode == "consent_does_not_cover")
            #expect(try none.decode(ErrorReply.self).error.message.contains("it covers: Respite care"))
            let consent = try await Self.consent(api, office.alice)
            #expect(consent.recipients == ["nhs.net"], "a domain shared by many organisations stays a domain")
            let named = try await api.call(.post, "/api/v1/consents", token: office.alice, json: [
                "caseReference": "CP-0113", "givenBy": "parent", "giverName": "Sam Doe", "purposes": ["Health assessment"],
                "recipients": ["St Helier Hospital"], "information": "Notes"]).decode(ConsentReply.self)
            #expect(named.recipients == [people.bob.organisationID], "an organisation in Safehaven is named by its id")
            #expect(try await api.call(.post, "/api/v1/consents", token: office.alice, json: [
                "caseReference": "CP-0113", "givenBy": "person", "giverName": "Jamie", "purposes": ["x"], "recipients": ["nhs.net"],
                "information": "Notes"]).errorCode == "invalid_capacity_note")
            // Consent for St Helier does not cover Sutton, nor another purpose.
            let elsewhere = try await api.send(token: office.alice, Self.share(["basis": "consent"], to: ["carol@sutton.gov.uk"]))
            #expect(elsewhere.errorCode == "consent_does_not_cover")
            let otherPurpose = try await api.send(token: office.alice, Self.share(["basis": "consent", "purpose": "School admission"]))
            #expect(otherPurpose.errorCode == "consent_does_not_cover")
            #expect(try await api.send(token: office.alice, Self.share(["basis": "consent", "caseReferences": ["CP-9999"]])).errorCode == "invalid_case_references")
            #expect(try await api.send(token: office.alice, Self.share([:]).merging(["basis": NSNull()]) { $1 }).errorCode == "invalid_basis")
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM shares") == 0, "refusals store nothing")
            // Covered: sent at once, the register names basis, consent and the person.
            let sent = try await api.send(token: office.alice, Self.share(["basis": "consent"]))
            #expect(sent.status == .created)
            let shareID = try #require(try sent.json["id"] as? String)
            let entry = try #require(try await Self.register(api, office.alice).first { $0.shareId == shareID })
            #expect(entry.lawfulBasis == "consent" && entry.consentId == consent.id && entry.caseReferences == ["CP-0113"] && entry.recipientName == "Bob Jones")
            // An archive of it, for someone who cannot sign in, is in the person's history too.
            #expect(try await api.call(.post, "/api/v1/shares/\(shareID)/export", token: office.alice).status == .created)
            // The person's history holds both, for Iris (the whole organisation) and for Alice; not for another organisation.
            let history = try await api.call(.get, "/api/v1/subjects/\(subject.id)", token: office.iris).decode(HistoryReply.self)
            #expect(history.subject.displayName == "Jamie <b>Doe</b>" && history.disclosures.map(\.shareId) == [shareID, shareID]
                    && history.disclosures.map(\.method) == ["safehaven", "encrypted-archive"] && history.consents.count == 3)
            #expect(try await api.call(.get, "/api/v1/subjects/\(subject.id)", token: office.bob).status == .notFound)
            // The display name is sealed at rest.
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM records WHERE body_sealed LIKE '%Jamie%'") == 0)
            // Withdrawal: Alice is alerted and withdraws every share under it in one step.
            let withdrawn = try await api.call(.post, "/api/v1/consents/\(consent.id)/withdraw", token: office.iris, json: ["note": "Parent withdrew by letter"])
            #expect(withdrawn.status == .ok)
            let alerts = try await Self.outbox(env, .consentWithdrawn)
            #expect(alerts.map(\.to) == ["alice@merton.gov.uk"] && alerts.first?.shareID == shareID)
            #expect(try await api.send(token: office.alice, Self.share(["basis": "consent"])).errorCode == "consent_does_not_cover")
            #expect(try await api.call(.post, "/api/v1/consents/\(consent.id)/revoke-shares", token: office.bob).status == .notFound)
            let revoked = try await api.call(.post, "/api/v1/consents/\(consent.id)/revoke-shares", token: office.alice)
            #expect((try revoked.json["withdrawn"] as? [String]) == [shareID])
            let detail = try await api.call(.get, "/api/v1/consents/\(consent.id)", token: office.alice).decode(ConsentDetailReply.self)
            #expect(detail.consent.withdrawnAt != nil && detail.shares.map(\.status) == ["revoked"])
            #expect(try await Self.outbox(env, .revoked).map(\.to) == ["bob@nhs.net"])
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 500) }.map(\.action)
            for action in ["subject.recorded", "consent.recorded", "consent.withdrawn", "share.revoked", "subject.history_read"] {
                #expect(actions.contains(action), "\(action) is audited")
            }
            // The consents export holds every field, the withdrawal included.
            let consents = try await RecordsExport(env.runtime.deps).rows(.consents, organisation: "merton.gov.uk")
            let row = try #require(consents.first { $0[0] == consent.id })
            #expect(row.count == RecordsExport.columns(.consents).count && row[1] == "CP-0113" && row[2] == "parent" && row[3] == "Sam Doe"
                    && row[5] == Self.purpose && row[6] == "nhs.net" && row[9] == "Not to be shared with the school" && !row[14].isEmpty
                    && row[15] == "Parent withdrew by letter")
            try await Self.noticesKeepQuiet(env, about: ["Jamie", "CP-0113", "Strategy meeting papers", "Sam Doe"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func sharingWithoutConsentWaitsForAManagerWhoAuthorisesOrRefuses(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let office = try await Self.office(api, env, people)
            _ = try await Self.subject(api, office.alice)
            let short = try await api.send(token: office.alice, Self.share(["basis": "public-interest", "justification": "Needed"]))
            #expect(short.errorCode == "invalid_justification")
            let justification = "Risk of serious harm to the child outweighs the duty of confidence; parents not told as it would increase the risk."
            let held = try await api.send(token: office.alice, Self.share(["basis": "public-interest", "justification": justification]))
            #expect(held.status == .created)
            let heldID = try #require(try held.json["id"] as? String)
            #expect((try held.json["status"] as? String) == "pending_authorisation")
            // Nobody has been sent anything: Bob's inbox is empty and only Mo was asked.
            #expect(try await api.call(.get, "/api/v1/inbox", token: office.bob).decode(ShareListReply.self).shares.isEmpty)
            #expect(try await api.call(.get, "/api/v1/shares/\(heldID)", token: office.bob).status == .notFound)
            #expect(try await Self.outbox(env, .shareAnnounced).isEmpty)
            #expect(try await Self.outbox(env, .authorisationRequested).map(\.to) == ["mo@merton.gov.uk"])
            #expect(try await Self.register(api, office.alice).isEmpty, "nothing is disclosed yet")
            // Alice cannot authorise her own; Carol (a manager elsewhere) cannot see it.
            #expect(try await api.call(.post, "/api/v1/authorisations/\(heldID)/approve", token: office.alice).status == .notFound)
            let carol = try await api.login("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            #expect(try await api.call(.get, "/api/v1/authorisations/\(heldID)", token: carol).status == .notFound)
            let waiting = try await api.call(.get, "/api/v1/authorisations", token: office.mo).decode(AuthorisationListReply.self).authorisations
            #expect(waiting.map(\.share.id) == [heldID] && waiting.first?.message == "Papers for Thursday's meeting.")
            #expect(waiting.first?.basis.reasons.first?.contains("without consent") == true && waiting.first?.caseReferences == ["CP-0113"])
            // Mo authorises: it goes now, and the register names Mo and the justification.
            let approved = try await api.call(.post, "/api/v1/authorisations/\(heldID)/approve", token: office.mo).decode(BasisReply.self)
            #expect(approved.authorisation == "approved" && approved.decidedByName == "Mo Khan")
            #expect(try await api.call(.post, "/api/v1/authorisations/\(heldID)/approve", token: office.mo).errorCode == "not_pending")
            #expect(try await api.call(.get, "/api/v1/inbox", token: office.bob).decode(ShareListReply.self).shares.map(\.id) == [heldID])
            let entry = try #require(try await Self.register(api, office.alice).first { $0.shareId == heldID })
            #expect(entry.authorisedBy == "Mo Khan, Team manager" && entry.lawfulBasis == "public-interest" && entry.justification == justification)
            #expect(try await Self.outbox(env, .authorisationDecided).map(\.to) == ["alice@merton.gov.uk"])
            // A second one, refused with a reason: nothing is sent and its content is destroyed.
            let second = try await api.send(token: office.alice, Self.share(["basis": "safeguarding", "justification": justification]))
            let secondID = try #require(try second.json["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/authorisations/\(secondID)/refuse", token: office.mo, json: ["reason": " "]).errorCode == "invalid_reason")
            let refused = try await api.call(.post, "/api/v1/authorisations/\(secondID)/refuse", token: office.mo,
                                             json: ["reason": "Seek the parents' consent first: no immediate risk."]).decode(BasisReply.self)
            #expect(refused.authorisation == "refused" && refused.refusalReason == "Seek the parents' consent first: no immediate risk.")
            #expect(try await api.call(.get, "/api/v1/inbox", token: office.bob).decode(ShareListReply.self).shares.map(\.id) == [heldID])
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM share_secrets WHERE share_id = '\(secondID)'") == 0)
            #expect(try await Self.register(api, office.alice).filter { $0.shareId == secondID }.isEmpty)
            #expect(try await api.call(.get, "/api/v1/authorisations", token: office.mo).decode(AuthorisationListReply.self).authorisations.isEmpty)
            // Many people at OFFICIAL-SENSITIVE also waits (more than the configured number).
            for n in 1...6 { _ = try await Self.subject(api, office.alice, "CP-10\(n)") }
            let many = try await api.send(token: office.alice, Self.share(["basis": "consent", "caseReferences": (1...6).map { "CP-10\($0)" }]))
            #expect(many.errorCode == "no_consent", "consent is still checked first")
            try await Self.noticesKeepQuiet(env, about: ["Jamie", "CP-0113", "Strategy meeting papers", justification])
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 500) }.map(\.action)
            #expect(actions.filter { $0 == "share.held_for_authorisation" }.count == 2)
            #expect(actions.contains("share.authorised") && actions.contains("share.authorisation_refused"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func withoutAnotherManagerNothingCanBeHeld(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            _ = try await Self.subject(api, alice)
            let refused = try await api.send(token: alice, Self.share(["basis": "vital-interests", "justification": "The child is at immediate risk of harm tonight."]))
            #expect(refused.errorCode == "no_authoriser")
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM shares") == 0)
            _ = people
        }
    }

    @Test(arguments: TestDatabase.available)
    func aTelephoneDisclosureWithoutConsentNamesItsAuthoriserAndThePerson(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let office = try await Self.office(api, env, people)
            let subject = try await Self.subject(api, office.alice)
            var call = RegisterTests.telephone(["lawfulBasis": "safeguarding", "caseReferences": ["CP-0113"]])
            #expect(try await api.call(.post, "/api/v1/register", token: office.alice, json: call).errorCode == "invalid_justification")
            call["justification"] = "GP must know of the injury seen at school today to examine the child."
            #expect(try await api.call(.post, "/api/v1/register", token: office.alice, json: call).errorCode == "invalid_authorised_by")
            call["authorisedBy"] = "Mo Khan"
            let saved = try await api.call(.post, "/api/v1/register", token: office.alice, json: call).decode(RegisterRowReply.self)
            #expect(saved.method == "telephone" && saved.lawfulBasis == "safeguarding" && saved.caseReferences == ["CP-0113"])
            let decision = try await api.call(.post, "/api/v1/register", token: office.alice, json: [
                "kind": "decision_not_to_share", "reason": "Request did not show a need to know", "informationType": "Family history",
                "recipientOrganisation": "A housing association", "caseReferences": ["CP-0113"]]).decode(RegisterRowReply.self)
            let history = try await api.call(.get, "/api/v1/subjects/\(subject.id)", token: office.mo).decode(HistoryReply.self)
            #expect(history.disclosures.map(\.id) == [saved.id, decision.id], "Mo sees his team's records about the person")
            let csv = RecordsExport.csv(.register, try await RecordsExport(env.runtime.deps).rows(.register, organisation: "merton.gov.uk"))
            #expect(csv.contains("\"safeguarding\"") && csv.contains("\"CP-0113\"") && csv.contains("\"Mo Khan\"") && csv.contains("decision_not_to_share"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func offSiteRoundTripAndAWipedMemoryStickWithReminders(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            var office = try await Self.office(api, env, people)
            let due = ISODate.format(env.clock.now().addingTimeInterval(2 * 86_400))
            #expect(try await api.call(.post, "/api/v1/offsite", token: office.alice, json: ["what": "Case file", "why": "Home visit",
                                                                                          "dueBack": "yesterday"]).errorCode == "invalid_due_back")
            let item = try await api.call(.post, "/api/v1/offsite", token: office.alice,
                                          json: ["what": "Paper case file, CP-0113", "why": "Home visit and court", "dueBack": due]).decode(OffsiteReply.self)
            let unencrypted = try await api.call(.post, "/api/v1/media", token: office.alice, json: [
                "device": "Memory stick", "serial": "KS-2231", "encryption": "None", "encryptionConfirmed": false, "contents": "Court bundle", "dueBack": due])
            #expect(unencrypted.errorCode == "invalid_encryption_confirmed")
            let stick = try await api.call(.post, "/api/v1/media", token: office.alice, json: [
                "device": "Kingston IronKey memory stick", "serial": "KS-2231", "encryption": "Hardware AES-256", "encryptionConfirmed": true,
                "contents": "Court bundle for the hearing", "dueBack": due]).decode(DeviceReply.self)
            #expect(stick.outcome == "issued" && stick.encryptionConfirmed)
            // Two days on, both are overdue: Alice and her manager are reminded once each.
            env.clock.advance(3 * 86_400)
            office = try await Self.office(signingInAgain: api, people)
            let logbook = LogbookService(env.runtime.deps)
            #expect(try await logbook.queueOverdueReminders() == 4)
            #expect(try await logbook.queueOverdueReminders() == 0, "once")
            #expect(Set(try await Self.outbox(env, .recordOverdue).map(\.to)) == ["alice@merton.gov.uk", "mo@merton.gov.uk"])
            // Others cannot see or return them.
            let stranger = try await api.call(.post, "/api/v1/offsite/\(item.id)/return", token: office.bob, json: [:])
            #expect(stranger.status == .notFound, "\(stranger.status) \(String(buffer: stranger.body))")
            let returned = try await api.call(.post, "/api/v1/offsite/\(item.id)/return", token: office.alice, json: [:]).decode(OffsiteReply.self)
            #expect(returned.returnedAt != nil)
            #expect(try await api.call(.post, "/api/v1/offsite/\(item.id)/return", token: office.alice, json: [:]).errorCode == "already_returned")
            let wiped = try await api.call(.post, "/api/v1/media/\(stick.id)/close", token: office.mo,
                                           json: ["outcome": "wiped", "note": "Wiped with the vendor tool"]).decode(DeviceReply.self)
            #expect(wiped.outcome == "wiped")
            let items = try await api.call(.get, "/api/v1/offsite", token: office.iris).json["items"] as? [Any]
            #expect(items?.count == 1)
            // A lost device opens an incident at once.
            let second = try await api.call(.post, "/api/v1/media", token: office.alice, json: [
                "device": "Encrypted laptop drive", "serial": "HD-9", "encryption": "BitLocker", "encryptionConfirmed": true,
                "contents": "Reports", "dueBack": ISODate.format(env.clock.now().addingTimeInterval(86_400))]).decode(DeviceReply.self)
            #expect(try await api.call(.post, "/api/v1/media/\(second.id)/close", token: office.alice, json: ["outcome": "lost"]).errorCode == "invalid_note")
            let lost = try await api.call(.post, "/api/v1/media/\(second.id)/close", token: office.alice,
                                          json: ["outcome": "lost", "note": "Left on a train"]).decode(DeviceReply.self)
            let incidentID = try #require(lost.incidentID)
            #expect(try await api.call(.get, "/api/v1/incidents/\(incidentID)", token: office.alice).decode(IncidentReply.self).incident.kind == "loss")
            let exports = RecordsExport(env.runtime.deps)
            let offsite = try await exports.rows(.offsite, organisation: "merton.gov.uk")
            let media = try await exports.rows(.media, organisation: "merton.gov.uk")
            #expect(offsite.count == 1 && offsite[0].count == RecordsExport.columns(.offsite).count && offsite[0][6] != "")
            #expect(media.map { $0[9] } == ["wiped", "lost"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aMisdirectionIsRecalledInOneActionAndTheDeadlineWarns(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            var office = try await Self.office(api, env, people)
            let first = try #require(try await api.send(token: office.alice, API.share()).json["id"] as? String)
            let second = try #require(try await api.send(token: office.alice, API.share()).json["id"] as? String)
            let reported = try await api.call(.post, "/api/v1/incidents", token: office.alice, json: [
                "kind": "misdirection", "description": "Sent to the wrong Bob", "shares": [first]]).decode(IncidentReply.self)
            let id = reported.incident.id
            #expect(reported.shares.map(\.id) == [first])
            // Shares of other organisations, or not in one's scope, cannot be linked.
            let carol = try await api.login("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            #expect(try await api.call(.get, "/api/v1/incidents/\(id)", token: carol).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/incidents/\(id)/shares", token: office.bob, json: ["shareId": second]).status == .notFound)
            _ = try await api.call(.post, "/api/v1/incidents/\(id)/shares", token: office.iris, json: ["shareId": second]).decode(IncidentReply.self)
            let recalled = try await api.call(.post, "/api/v1/incidents/\(id)/recall", token: office.alice)
            #expect((try recalled.json["withdrawn"] as? Int) == 2)
            let after = try await api.call(.get, "/api/v1/incidents/\(id)", token: office.alice).decode(IncidentReply.self)
            #expect(after.shares.map(\.status) == ["revoked", "revoked"] && after.incident.recalled.count == 2)
            #expect(try await Self.outbox(env, .revoked).count == 2)
            for (party, name) in [("line-manager", "Mo Khan"), ("service-desk", "IT service desk"), ("dpo", "Iris Green")] {
                _ = try await api.call(.post, "/api/v1/incidents/\(id)/notifications", token: office.alice,
                                       json: ["party": party, "name": name, "reference": party == "service-desk" ? "INC-4411" : ""]).decode(IncidentReply.self)
            }
            // Two days on, nothing decided: a warning, once, to the reporter and the DPO.
            env.clock.advance(49 * 3600)
            office = try await Self.office(signingInAgain: api, people)
            let incidents = IncidentService(env.runtime.deps)
            #expect(try await incidents.queueDeadlineWarnings() == 2)
            #expect(try await incidents.queueDeadlineWarnings() == 0)
            #expect(Set(try await Self.outbox(env, .incidentDeadline).map(\.to)) == ["alice@merton.gov.uk", "iris@merton.gov.uk"])
            #expect(try await api.call(.post, "/api/v1/incidents/\(id)/close", token: office.alice, json: ["lessons": "Check"]).errorCode == "invalid_lessons")
            #expect(try await api.call(.post, "/api/v1/incidents/\(id)/decision", token: office.alice,
                                       json: ["report": false, "reason": "x"]).errorCode == "not_allowed")
            _ = try await api.call(.post, "/api/v1/incidents/\(id)/decision", token: office.iris, json: [
                "report": false, "reason": "Recalled unopened within the hour; the recipient is a nurse bound by confidentiality."]).decode(IncidentReply.self)
            let closed = try await api.call(.post, "/api/v1/incidents/\(id)/close", token: office.iris,
                                            json: ["lessons": "Confirm the address with the person before sending."]).decode(IncidentReply.self)
            #expect(closed.incident.closedAt != nil && closed.incident.told.count == 3 && closed.incident.decision == "no-report")
            let rows = try await RecordsExport(env.runtime.deps).rows(.incidents, for: office.people.alice)
            #expect(rows.count == 1 && rows[0][1] == "misdirection" && rows[0][7].contains("Mo Khan") && rows[0][8].contains("INC-4411")
                    && rows[0][10] == "no-report" && rows[0][15] == "\(first) | \(second)")
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 500) }.map(\.action)
            for action in ["incident.reported", "incident.share_linked", "incident.recalled", "incident.party_told", "incident.decided", "incident.closed"] {
                #expect(actions.contains(action), "\(action) is audited")
            }
            // The operator's export, as `safehaven register export --set incidents --format json` prints it.
            var config = env.runtime.config
            config.dataDirectory = env.directoryURL
            config.passwordCost = 10
            let json = try await Commands.exportRegister(config: config, organisation: "merton.gov.uk", from: nil, to: nil, format: "json", set: "incidents")
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]])
            #expect(objects.count == 1 && objects[0]["kind"] == "misdirection" && objects[0]["decision"] == "no-report"
                    && objects[0]["lessons"] == "Confirm the address with the person before sending.")
            await #expect(throws: SafehavenError.self) {
                try await Commands.exportRegister(config: config, organisation: "merton.gov.uk", from: nil, to: nil, format: "csv", set: "everything")
            }
        }
    }

    /// Twenty decisions on one held share at once, half to authorise and half to refuse, over real
    /// connections: exactly one wins, and the share is either sent once or destroyed, never both.
    @Test(arguments: TestDatabase.available)
    func racingDecisionsOnOneHeldShareSettleOnce(db: TestDatabase) async throws {
        try await withAPI(db, live: true) { api, env, people in
            let office = try await Self.office(api, env, people)
            _ = try await Self.subject(api, office.alice)
            let held = try await api.send(token: office.alice, Self.share(["basis": "legal-duty", "justification": "A court order requires the health visitor's notes."]))
            let id = try #require(try held.json["id"] as? String)
            let outcomes = try await withThrowingTaskGroup(of: (Bool, HTTPResponse.Status).self) { group in
                for n in 0..<20 {
                    group.addTask {
                        let approve = n % 2 == 0
                        let reply = approve ? try await api.call(.post, "/api/v1/authorisations/\(id)/approve", token: office.mo)
                            : try await api.call(.post, "/api/v1/authorisations/\(id)/refuse", token: office.mo, json: ["reason": "Not yet"])
                        return (approve, reply.status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let won = outcomes.filter { $0.1 == .ok }
            #expect(won.count == 1, "\(outcomes.map { "\($0.0) \($0.1.code)" })")
            #expect(outcomes.allSatisfy { $0.1 == .ok || $0.1 == .conflict }, "\(outcomes.map(\.1.code))")
            let recipients = try await env.store.count("SELECT COUNT(*) AS n FROM share_recipients WHERE share_id = '\(id)'")
            let entries = try await env.store.count("SELECT COUNT(*) AS n FROM disclosures WHERE share_id = '\(id)'")
            let secrets = try await env.store.count("SELECT COUNT(*) AS n FROM share_secrets WHERE share_id = '\(id)'")
            if won.first?.0 == true {
                #expect(recipients == 1 && entries == 1 && secrets == 1)
            } else {
                #expect(recipients == 0 && entries == 0 && secrets == 0)
            }
        }
    }
}
