import Foundation
import SafehavenCore
import Testing

@Suite struct PersonalDataScannerTests {
    let today = ISODate.parse("2026-11-22T12:00:00Z")!

    @Test(arguments: ["9434765919", "943 476 5919", "943-476-5919"])
    func validNHSNumbersAreFound(text: String) {
        let found = PersonalDataScanner().scan("Re: \(text) follow-up")
        #expect(found.map(\.kind) == [.nhsNumber])
        #expect(found.first?.start == 5)
    }

    @Test(arguments: ["9434765918", "1234567890", "0000000000", "94347659190"])
    func invalidCheckDigitsAreNotNHSNumbers(text: String) {
        #expect(!PersonalDataScanner().scan("ref \(text)").contains { $0.kind == .nhsNumber })
    }

    @Test func findsEachKindAndSaysWhere() {
        let subject = "Jo Bloggs, AB 12 34 56 C, SW19 2HR, jo@example.com, 07700 900123, DOB 3 March 2015"
        let found = PersonalDataScanner(names: ["Jo Bloggs"], today: today).scan(subject)
        #expect(Set(found.map(\.kind)) == [.name, .niNumber, .postcode, .email, .phone, .dateOfBirth])
        let postcode = found.first { $0.kind == .postcode }!
        #expect(postcode.match == "SW19 2HR")
        #expect(postcode.description == "a postcode at characters 27–34")
        #expect(PersonalDataScanner().scan("QQ 12 34 56 C").isEmpty, "QQ is the published example prefix, never issued")
        #expect(!postcode.description.contains("SW19"))
    }

    @Test(arguments: [("Meeting on 24/11/2026", false), ("DOB: 01/02/2015", true), ("born 2015-02-01", true),
                      ("Child, 01/02/2015", true), ("Review 12 December 2026", false)])
    func datesOfBirthNotMeetingDates(text: String, flagged: Bool) {
        #expect(PersonalDataScanner(today: today).scan(text).contains { $0.kind == .dateOfBirth } == flagged)
    }

    @Test(arguments: ["Strategy meeting papers", "Referral: action needed", "Core group minutes (week 47)", "Invoice 2026-17"])
    func cleanSubjectsStayClean(text: String) {
        #expect(PersonalDataScanner(names: ["Ann Other"], today: today).scan(text).isEmpty)
    }

    @Test func namesMatchWholeWordsOnly() {
        let scanner = PersonalDataScanner(names: ["Ann Smith"])
        #expect(scanner.scan("Smithfield market").isEmpty)
        #expect(scanner.scan("About smith").map(\.kind) == [.name])
        #expect(scanner.scan("About ANN SMITH today").count == 1)
    }

    @Test(arguments: [
        ("CHI 010190 1232", PersonalDataFinding.Kind.chiNumber), ("H&C 320 000 0015", .hcNumber), ("NHS 943 476 5919", .nhsNumber),
        ("UPN T201300201001", .upn), ("pupil G873456789012 moved", .upn), ("ULN: 1234567899", .uln),
        ("NI AB 12 34 56", .niNumber), ("NINO ab123456c", .niNumber), ("lives at 12 Acacia Avenue", .address),
        ("Flat 3, 27b Station Road.", .address), ("Baby of Smith", .name), ("baby Okafor", .name), ("JS (4)", .name),
        ("J.S. aged 4", .name), ("re K.M., age 11", .name),
    ])
    func findsWhatPractitionersWrite(text: String, kind: PersonalDataFinding.Kind) {
        #expect(PersonalDataScanner(today: today).scan(text).map(\.kind).contains(kind), "\(text)")
    }

    @Test(arguments: ["A201300201001", "T201300201002", "CHI 010190 1233", "320 000 0016", "ULN 1234567898", "DF 12 34 56"])
    func wrongCheckDigitsAndPrefixesAreNotIdentifiers(text: String) {
        let identifying: Set<PersonalDataFinding.Kind> = [.chiNumber, .hcNumber, .nhsNumber, .upn, .uln, .niNumber]
        #expect(!PersonalDataScanner().scan(text).contains { identifying.contains($0.kind) }, "\(text)")
    }

    @Test(arguments: [("Baby J 14/10/2026", true), ("born 3rd of March 2019", true), ("child March 3, 2019", true),
                      ("Strategy meeting 24/11/2026", false), ("Core group review 01/12/2025", false), ("Incident on 3rd March 2025", false),
                      ("Home visit 21 November 2026", false), ("DOB March 3rd, 2019", true), ("hearing dated 2 Jan 2026", false)])
    func babiesAndWrittenDatesButNotEvents(text: String, flagged: Bool) {
        #expect(PersonalDataScanner(today: today).scan(text).contains { $0.kind == .dateOfBirth } == flagged, "\(text)")
    }

    @Test func hyphenatedAndApostropheNamesAreFoundWholeAndInParts() {
        let scanner = PersonalDataScanner(names: ["Amy-Leigh O’Connor"])
        #expect(scanner.scan("Concerns about O'Connor").map(\.kind) == [.name])
        #expect(scanner.scan("Update: Amy-Leigh").map(\.kind) == [.name])
        #expect(scanner.scan("re Leigh").map(\.kind) == [.name])
        #expect(scanner.scan("Leighton Buzzard office").isEmpty)
    }

    @Test func bulkCountsEveryKindOfIdentifier() {
        let text = "943 476 5919, CHI 010190 1232, 320 000 0015, AB 12 34 56 C, T201300201001, 943 476 5919"
        #expect(PersonalDataScanner.countIdentifiers(text) == 5)
    }

    @Test func countsDistinctNHSNumbers() {
        let many = (0..<25).map { _ in "943 476 5919" }.joined(separator: ", ") + " and 401 023 2137"
        #expect(PersonalDataScanner.countNHSNumbers(many) == 2)
        #expect(PersonalDataScanner.isValidNHSNumber("4010232137"))
    }
}

@Suite struct ChannelAdvisorTests {
    let advisor = ChannelAdvisor(engine: RouteEngine(policy: BuiltInProfiles.ukCurrent))

    @Test func everyChannelHasStepsAndMustNots() {
        for channel in Channel.allCases {
            let checklist = Checklists.checklist(for: channel)
            #expect(checklist.steps.count >= 3, "\(channel)")
            #expect(!checklist.mustNot.isEmpty, "\(channel)")
        }
        #expect(Checklists.checklist(for: .fax).artefacts == ["fax-cover-sheet"])
        #expect(Checklists.checklist(for: .post).artefacts == ["envelope"])
        #expect(Checklists.checklist(for: .telephone).steps.joined().contains("switchboard"))
        #expect(Checklists.checklist(for: .telephone).mustNot.joined().contains("voicemail"))
        #expect(Checklists.checklist(for: .encryptedArchive).mustNot.joined().contains("same email"))
        #expect(Checklists.checklist(for: .removableMedia).steps.joined().contains("256-bit AES"))
        #expect(Checklists.never.keys.contains("sms-details"))
    }

    /// What every seed says for each channel is there, in our words.
    @Test(arguments: [
        (Channel.telephone, ["switchboard", "direct line", "answering machine", "time of the call", "authorised"]),
        (.fax, ["safe haven", "eFax", "waiting"]),
        (.post, ["confirm it arrived", "redirected", "cannot be delivered", "secure courier", "written contract", "encrypted"]),
        (.inPerson, ["confidential waste"]),
        (.removableMedia, ["information asset owner", "line manager", "IT service desk", "data protection officer", "secure courier"]),
        (.sms, ["minimal content", "consent", "opt out"]),
        (.encryptedArchive, ["can open", "another channel", "without the password"]),
        (.encryptedEmail, ["[secure]", "Egress"]),
    ])
    func checklistsCoverWhatTheSeedsAsk(channel: Channel, phrases: [String]) {
        let text = (Checklists.checklist(for: channel).steps + Checklists.checklist(for: channel).mustNot).joined(separator: " ").lowercased()
        for phrase in phrases { #expect(text.contains(phrase.lowercased()), "\(channel): \(phrase)") }
    }

    @Test func aProfilesProhibitionRemovesTheChannel() throws {
        let advice = try ChannelAdvisor(engine: RouteEngine(policy: BuiltInProfiles.swindon)).advise(
            AdviceRequest(marking: "OFFICIAL-SENSITIVE", people: 1, urgency: .routine, from: "a@swindon.gov.uk", to: "b@example.org"))
        let archive = try #require(advice.channels.first { $0.channel == .encryptedArchive })
        #expect(!archive.suitable && archive.why.contains("Swindon"))
        let egress = try #require(advice.channels.first { $0.channel == .encryptedEmail })
        #expect(egress.suitable && egress.why.contains("Egress"))
    }

    /// No answer recommends what its own "never" list forbids, under any profile, for any scale.
    @Test(arguments: BuiltInProfiles.names)
    func noRecommendationContradictsTheNeverList(profile: String) throws {
        let advisor = ChannelAdvisor(engine: RouteEngine(policy: try #require(BuiltInProfiles.named(profile))))
        for people in [1, 5, 20, 500] {
            for urgency in [AdviceRequest.Urgency.routine, .urgent] {
                for (from, to) in [("a@nhs.net", "b@example.org"), ("a@merton.gov.uk", "b@merton.gov.uk"), ("a@swindon.gov.uk", "b@nhs.net")] {
                    let advice = try advisor.advise(AdviceRequest(marking: "OFFICIAL-SENSITIVE", people: people, urgency: urgency, from: from, to: to))
                    let suitable = Set(advice.channels.filter(\.suitable).map(\.channel))
                    #expect(!suitable.contains(.sms) && !suitable.contains(.instantMessaging))
                    if !advice.route.secure { #expect(!suitable.contains(.secureEmail)) }
                    if people >= ChannelAdvisor.largeNumbers {
                        #expect(suitable.isDisjoint(with: [.post, .fax, .telephone, .encryptedArchive, .encryptedEmail]), "\(profile) \(people)")
                    }
                    for prohibited in advisor.engine.policy.prohibited { #expect(!suitable.map(\.rawValue).contains(prohibited.channel)) }
                }
            }
        }
    }

    @Test func cjsmIsOfferedWhereTheSenderIsRegistered() throws {
        let advice = try ChannelAdvisor(engine: RouteEngine(policy: BuiltInProfiles.merton)).advise(
            AdviceRequest(marking: "OFFICIAL-SENSITIVE", people: 1, urgency: .routine, from: "casa@merton.gov.uk", to: "colleague.one@nhs.net"))
        let email = try #require(advice.channels.first { $0.channel == .secureEmail })
        #expect(email.suitable && email.why.contains("colleague.one@nhs.net.cjsm.net"))
    }

    @Test func theBulkThresholdIsASetting() throws {
        let engine = RouteEngine(policy: BuiltInProfiles.ukCurrent)
        let request = AdviceRequest(marking: "OFFICIAL", people: 10, urgency: .routine, from: "a@nhs.net", to: "b@nhs.net")
        #expect(try ChannelAdvisor(engine: engine).advise(request).scale == "several")
        #expect(try ChannelAdvisor(engine: engine, largeNumbers: 10).advise(request).scale == "large numbers")
    }

    @Test func oneOfficialPersonHasManyOptions() throws {
        let advice = try advisor.advise(.init(marking: "OFFICIAL", people: 1, urgency: .routine, from: "a@merton.gov.uk", to: "b@nhs.net"))
        let suitable = advice.channels.filter(\.suitable).map(\.channel)
        #expect(suitable.first == .safehaven)
        #expect(suitable.contains(.post) && suitable.contains(.telephone) && suitable.contains(.encryptedArchive))
        #expect(!suitable.contains(.secureEmail))
        #expect(!suitable.contains(.fax))
        #expect(advice.channels.count == Channel.allCases.count)
    }

    @Test func largeNumbersNarrowTheOptions() throws {
        let advice = try advisor.advise(.init(marking: "OFFICIAL-SENSITIVE", people: 500, urgency: .routine, from: "a@nhs.net", to: "b@nhs.net"))
        let suitable = advice.channels.filter(\.suitable).map(\.channel)
        #expect(advice.scale == "large numbers")
        #expect(Set(suitable) == [.safehaven, .secureEmail, .inPerson, .removableMedia])
        #expect(suitable.prefix(2) == [.safehaven, .secureEmail])
    }

    @Test func urgentSinglePersonPutsTelephoneHighAndAllowsFaxLast() throws {
        let advice = try advisor.advise(.init(marking: "OFFICIAL-SENSITIVE", people: 1, urgency: .urgent, from: "a@merton.gov.uk",
                                              to: "b@sutton.gov.uk", recipientHasAccount: false))
        let suitable = advice.channels.filter(\.suitable).map(\.channel)
        #expect(suitable.first == .telephone)
        #expect(suitable.last == .fax)
        #expect(!suitable.contains(.post))
        #expect(advice.channels.first { $0.channel == .safehaven }?.suitable == false)
    }

    @Test func onlyAvailableChannelsAreRecommended() throws {
        let advice = try advisor.advise(.init(marking: "OFFICIAL", people: 2, urgency: .routine, from: "a@x.gov.uk", to: "b@y.gov.uk",
                                              available: [.post, .fax]))
        #expect(advice.channels.filter(\.suitable).map(\.channel) == [.post])
        #expect(advice.channels.first { $0.channel == .telephone }?.why == "Not available to you.")
    }

    @Test func badInputIsRefused() {
        #expect(throws: SafehavenError.self) { try advisor.advise(.init(marking: "SECRET", people: 1, urgency: .routine, from: "a@nhs.net", to: "b@nhs.net")) }
        #expect(throws: SafehavenError.self) { try advisor.advise(.init(marking: "OFFICIAL", people: 0, urgency: .routine, from: "a@nhs.net", to: "b@nhs.net")) }
        #expect(throws: SafehavenError.self) { try advisor.advise(.init(marking: "OFFICIAL", people: 1, urgency: .routine, from: "nope", to: "b@nhs.net")) }
    }
}
