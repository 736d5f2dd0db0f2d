import Foundation
@testable import SafehavenServer
import Testing

/// Every page's view model drawn with fixed values and compared with the HTML kept beside this
/// file in `__Snapshots__/`. A change to a template or model shows up as a readable diff; run with
/// `SNAPSHOT_RECORD=1` to accept it. A missing snapshot is written and the test fails once.
@Suite struct PageSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__/PageSnapshotTests")
    static let frame = PageFrame(requestID: "req-0001", signedIn: true, csrf: "csrf-token", userName: "Alice Smith", isAdmin: false)
    static let hostile = "<script>alert(1)</script>\"'&{{csrf}}"

    func snapshot<Model: PageModel>(_ name: String, _ model: Model, frame: PageFrame = frame) throws {
        let html = try PageRenderer().render(Model.template, RenderedPage(page: model, frame: frame, title: model.title))
        // Whatever a person typed comes out as text.
        #expect(!html.contains("<script>alert(1)"), "\(name): unescaped input")
        #expect(!html.contains("&amp;csrf-token"), "\(name): typed text was treated as a template")
        let file = Self.directory.appendingPathComponent("\(name).html")
        let record = ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1"
        if !record, let kept = try? String(contentsOf: file, encoding: .utf8) {
            #expect(kept == html, "\(name) differs from its snapshot; run with SNAPSHOT_RECORD=1 if the change is intended")
            return
        }
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try html.write(to: file, atomically: true, encoding: .utf8)
        if !record { Issue.record("\(name): no snapshot yet; one was written to \(file.path)") }
    }

    @Test func signInAndAccountPages() throws {
        var signedOut = Self.frame
        signedOut.signedIn = false
        try snapshot("sign-in", SignInPage(formToken: "form-token", email: Self.hostile,
                                           errors: [.init(field: "email", message: "Enter your email address")]), frame: signedOut)
        try snapshot("account", AccountPage(name: Self.hostile, email: "alice@merton.gov.uk", organisation: "Merton Council", jobTitle: "Social worker", totp: true))
        try snapshot("change-password", ChangePasswordPage(mustChange: true))
        try snapshot("totp-codes", TOTPPage(enabled: true, codes: ["abcd-efgh", "ijkl-mnop"]))
        try snapshot("error", ErrorPage(title: "Page not found", message: Self.hostile))
    }

    @Test func sharePages() throws {
        try snapshot("inbox", InboxPage(title: "Inbox", otherParty: "From", shares: [
            .init(id: "s1", subject: Self.hostile, party: "Bob Jones, St Helier", sent: "1 December 2026, 09:00", status: "New", statusClass: "new")],
            next: "/inbox?cursor=abc"))
        try snapshot("inbox-empty", InboxPage(title: "Inbox", otherParty: "From", shares: [], next: nil))
        try snapshot("share-sender", SharePage(
            id: "s1", subject: Self.hostile, marking: "OFFICIAL-SENSITIVE", sender: "Alice Smith, Merton Council", sent: "1 December 2026, 09:00",
            expires: "15 December 2026, 09:00", status: "Read", statusClass: "read", purpose: Self.hostile, handling: "Do not forward",
            message: "Line one\nLine two", files: [.init(id: "f1", shareID: "s1", name: Self.hostile, size: "12 KB", downloadable: true, viewable: false)],
            viewOnly: false, canConfirm: false, receiptConfirmed: nil, canReply: false, isSender: true,
            recipients: [.init(email: "bob@nhs.net", events: [.init(what: "Opened", when: "1 December 2026, 10:00")])],
            canRevoke: true, canExport: true, thread: [], justSent: true))
        try snapshot("share-recipient-view-only", SharePage(
            id: "s1", subject: "Notes", marking: "OFFICIAL", sender: "Alice Smith, Merton Council", sent: "1 December 2026, 09:00",
            expires: "15 December 2026, 09:00", status: "New", statusClass: "new", purpose: "Review", handling: "",
            message: nil, files: [.init(id: "f1", shareID: "s1", name: "notes.txt", size: "1 KB", downloadable: false, viewable: true)],
            viewOnly: true, canConfirm: true, receiptConfirmed: nil, canReply: true, isSender: false, recipients: [], canRevoke: false,
            canExport: false, thread: [.init(id: "s0", subject: "Earlier", from: "Bob", sent: "30 November 2026, 09:00", current: false),
                                       .init(id: "s1", subject: "Notes", from: "Alice", sent: "1 December 2026, 09:00", current: true)], justSent: false))
        try snapshot("view-file", ViewFilePage(shareID: "s1", name: Self.hostile, marking: "OFFICIAL", watermark: "Shown to " + Self.hostile,
                                               text: Self.hostile, picture: nil, reason: nil))
        try snapshot("revoke", RevokePage(id: "s1", subject: Self.hostile))
        try snapshot("revoked", RevokedPage(subject: Self.hostile))
    }

    @Test func composePages() throws {
        let hidden = [Hidden(name: "subject", value: Self.hostile)]
        try snapshot("compose-recipients", ComposeRecipientsPage(recipients: Self.hostile, hidden: hidden,
                                                                 errors: [.init(field: "recipients", message: "Add at least one recipient.")]))
        try snapshot("compose-details", ComposeDetailsPage(
            review: [RecipientRow(email: "bob@nhs.net", person: "Bob Jones, Named nurse, St Helier", verdict: "Secure.", secure: true,
                                  warnings: [Self.hostile], firstTime: true)],
            needsConfirmation: true, confirmed: false, subject: Self.hostile,
            markings: [Choice(value: "OFFICIAL", label: "OFFICIAL", hint: "Routine", checked: false)], purpose: Self.hostile,
            bases: [Choice(value: "consent", label: "Consent", hint: Self.hostile, checked: true)], caseReferences: Self.hostile, justification: Self.hostile, handling: "",
            message: Self.hostile, expiries: [Choice(value: "14", label: "14 days", checked: true)], viewOnly: true, requireReceipt: false,
            hidden: [Hidden(name: "recipients", value: "bob@nhs.net")]))
        try snapshot("compose-check", ComposeCheckPage(rows: [.init(key: "Subject", value: Self.hostile, step: "details")], maxSize: "2 GB",
                                                       maxFiles: 100, hidden: hidden))
        try snapshot("reply", ReplyPage(id: "s1", subject: Self.hostile, to: "Alice Smith", marking: "OFFICIAL-SENSITIVE", message: Self.hostile))
    }

    @Test func rulesPages() throws {
        try snapshot("advisor-answer", AdvisorPage(
            profile: "current", to: Self.hostile, people: "3", markings: [Choice(value: "OFFICIAL", label: "OFFICIAL", checked: true)],
            urgencies: [Choice(value: "routine", label: "Routine", checked: true)], hasAccount: [Choice(value: "yes", label: "Yes", checked: true)],
            route: "Not secure.", routeWarnings: [Self.hostile], scale: "several",
            channels: [.init(title: "Safehaven", rank: "1", why: "Encrypted.", suitable: true, steps: ["Check the address"], mustNot: ["Never guess"], artefacts: [])],
            never: ["Never put names in a subject"]))
        try snapshot("fax-cover", FaxCoverPage(toName: Self.hostile, marking: "OFFICIAL-SENSITIVE", rows: [.init(label: "For", value: Self.hostile)]))
        try snapshot("envelope", EnvelopePage(toName: Self.hostile, printed: true, addressee: [Self.hostile], address: ["1 High Street"],
                                              returnLines: ["Civic Centre"], postage: "Send by a signed-for service."))
        try snapshot("export-ready", ExportPage(id: "s1", subject: Self.hostile, names: [], password: "abcde-fghij", download: "/exports/e1", size: "2 KB"))
        try snapshot("partner-passwords", PartnerPasswordsPage(rows: [.init(id: "p1", partner: Self.hostile, purpose: "Returns", rotateBy: "1 March 2027", due: true)],
                                                               revealed: "secret-words", revealedPartner: Self.hostile))
    }

    @Test func administrationPages() throws {
        var admin = Self.frame
        admin.isAdmin = true
        try snapshot("admin", AdminPage(organisations: [.init(id: "o1", name: Self.hostile, domains: "merton.gov.uk")], canAddOrganisation: true,
                                        profile: "current", profileDescription: "Today's position", serviceWide: true, auditEvents: "12",
                                        lastCheckpoint: "Event 12", auditResult: "The audit trail is intact.", auditBroken: false), frame: admin)
        try snapshot("admin-organisation", OrganisationPage(id: "o1", name: Self.hostile, domains: ["merton.gov.uk"], switchboard: "020", address: "Civic Centre",
                                                            people: [.init(id: "u1", name: Self.hostile, email: "a@merton.gov.uk", roles: "Practitioner",
                                                                           state: "Active", totp: true)]), frame: admin)
        try snapshot("admin-user-created", UserFormPage(heading: "Dan Lee", organisationID: "o1", organisationName: "Merton", domains: "merton.gov.uk",
                                                        userID: "u2", isNew: false, email: "dan@merton.gov.uk", name: Self.hostile,
                                                        roles: [Choice(value: "admin", label: "Administrator", checked: false)], oneTimePassword: "one-time-words"),
                     frame: admin)
    }

    @Test func recordPages() throws {
        try snapshot("records", RecordsPage(rows: [.init(id: "d1", when: "1 December 2026, 09:00", what: "Shared: " + Self.hostile, how: "Telephone",
                                                         who: Self.hostile, reason: Self.hostile, corrects: "d0", mine: true)],
                                            scope: "You see the records you made.", notice: "Recorded."))
        try snapshot("record-form", RecordFormPage(heading: "Record information shared another way", action: "/records", kind: "disclosure",
                                                   isDisclosure: true, isDecision: false,
                                                   methods: [Choice(value: "telephone", label: "Telephone", checked: true)],
                                                   steps: [Choice(value: "0", label: Self.hostile, checked: false)], reason: Self.hostile,
                                                   errors: [.init(field: "confirmations", message: "Confirm each step.")]))
        try snapshot("invitation", InvitationPage(token: "0123456789abcdef0123456789abcdef", formToken: "form-token", email: "dana@example.org",
                                                  sender: Self.hostile, marking: "OFFICIAL-SENSITIVE", expires: "8 December 2026, 09:00",
                                                  name: Self.hostile), frame: PageFrame(requestID: "req-0001"))
        try snapshot("admin-outbox", OutboxPage(rows: [.init(id: "o1", kind: "share announced", to: "bob@nhs.net", queued: "1 December 2026, 09:00",
                                                             attempts: 3, error: Self.hostile)], transport: "the mail relay", notice: nil))
    }

    @Test func recordBookPages() throws {
        let h = Self.hostile
        let table = Table(caption: h, headings: ["When", h], rows: [TableRow(id: "r1", link: "/records/people/s1", cells: [h, h], flag: "Overdue")])
        let choice = [Choice(value: "v1", label: h, checked: true)]
        var records = RecordsPage(rows: [], scope: "You see the records you made.", notice: nil)
        records.alerts = [.init(text: h, link: "/authorisations")]
        records.isManager = true
        try snapshot("records-alerts", records)
        try snapshot("people", PeoplePage(table: table, caseReference: h, displayName: h, notFound: h,
                                          errors: [.init(field: "caseReference", message: h)]))
        try snapshot("person", PersonPage(id: "s1", caseReference: h, displayName: h, consents: table, entries: table, printedAt: "1 December 2026, 09:00"))
        try snapshot("person-print", PersonPrintPage(caseReference: h, displayName: h, consents: table, entries: table, printedAt: "1 December 2026, 09:00",
                                                     printedBy: h))
        try snapshot("consent-form", ConsentFormPage(caseReference: h, givers: choice, giverName: h, capacityNote: h, purposes: h, organisations: choice,
                                                     domains: h, recipientKinds: h, information: h, limits: h, reviewBy: h,
                                                     errors: [.init(field: "purposes", message: h)]))
        try snapshot("consent", ConsentPage(id: "c1", caseReference: h, subjectID: "s1", table: table, withdrawn: true, shares: table, mySharesOpen: true,
                                            notice: h))
        try snapshot("authorisations", AuthorisationsPage(table: table, notice: h))
        try snapshot("authorisation", AuthorisationPage(id: "a1", marking: "OFFICIAL-SENSITIVE", table: table, message: h, files: table, reason: h,
                                                        errors: [.init(field: "reason", message: h)]))
        try snapshot("logbook-media", LogbookPage(heading: "Removable media", intro: h, isMedia: true, table: table,
                                                  fields: ["device": h, "encryptionConfirmed": "yes"], outcomes: [], open: choice, notice: h))
        try snapshot("logbook-offsite", LogbookPage(heading: "Information taken off site", intro: h, isMedia: false, table: table,
                                                    fields: ["what": h], outcomes: [], open: choice))
        try snapshot("incidents", IncidentsPage(table: table, kinds: choice, description: h, shares: choice))
        try snapshot("incident", IncidentPage(id: "i1", open: true, deadline: "4 December 2026, 09:00", deadlineWarning: h, table: table, shares: table,
                                              canRecall: true, linkable: choice, told: table, parties: choice, canDecide: true, decided: true, notice: h))
    }
}
