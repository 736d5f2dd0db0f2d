import Foundation

/// One row of a simple table: cells in order, an optional link on the first, optional actions.
struct TableRow: Sendable {
    var id: String
    var link: String?
    var lead: String
    var rest: [String]
    var flag: String?

    init(id: String, link: String? = nil, cells: [String], flag: String? = nil) {
        self.id = id
        self.link = link
        lead = cells.first ?? ""
        rest = Array(cells.dropFirst())
        self.flag = flag
    }
}

/// A table with a caption and column headings; the first cell links when the row has a link.
struct Table: Sendable {
    var caption: String
    var headings: [String]
    var rows: [TableRow]
    var empty: String = "None yet."
}

/// People the information is about: find by case reference, add, and those in scope.
struct PeoplePage: PageModel {
    static let template = "people"
    var title: String { errors.isEmpty ? "People" : "Error: People" }
    var table: Table
    var caseReference = ""
    var displayName = ""
    var notFound: String? = nil
    var errors: [FieldError] = []
}

/// One person's whole history: consents and every register entry about them.
struct PersonPage: PageModel {
    static let template = "person"
    var title: String { "Person \(caseReference)" }
    var id: String
    var caseReference: String
    var displayName: String
    var consents: Table
    var entries: Table
    var printedAt: String
}

/// The same history laid out for paper (a subject access request, a case review).
struct PersonPrintPage: PageModel {
    static let template = "person-print"
    var title: String { "Disclosure history: \(caseReference)" }
    var caseReference: String
    var displayName: String
    var consents: Table
    var entries: Table
    var printedAt: String
    var printedBy: String
}

struct ConsentFormPage: PageModel {
    static let template = "consent-form"
    var title: String { errors.isEmpty ? "Record consent" : "Error: Record consent" }
    var caseReference: String
    var givers: [Choice]
    var giverName = ""
    var capacityNote = ""
    var purposes = ""
    var organisations: [Choice]
    var domains = ""
    var recipientKinds = ""
    var information = ""
    var limits = ""
    var reviewBy = ""
    var errors: [FieldError] = []
}

struct ConsentPage: PageModel {
    static let template = "consent"
    var title: String { "Consent for \(caseReference)" }
    var id: String
    var caseReference: String
    var subjectID: String
    var table: Table
    var withdrawn: Bool
    var shares: Table
    var mySharesOpen: Bool
    var notice: String? = nil
    var errors: [FieldError] = []
}

struct AuthorisationsPage: PageModel {
    static let template = "authorisations"
    let title = "Shares waiting for authorisation"
    var table: Table
    var notice: String? = nil
}

struct AuthorisationPage: PageModel {
    static let template = "authorisation"
    var title: String { errors.isEmpty ? "Authorise a share" : "Error: Authorise a share" }
    var id: String
    var marking: String
    var table: Table
    var message: String?
    var files: Table
    var reason = ""
    var errors: [FieldError] = []
}

/// The off-site log or the removable-media log: the list and the form to add.
struct LogbookPage: PageModel {
    static let template = "logbook"
    var title: String { errors.isEmpty ? heading : "Error: \(heading)" }
    var heading: String
    var intro: String
    var isMedia: Bool
    var table: Table
    var fields: [String: String]
    var outcomes: [Choice]
    /// Items still out, or devices still issued, each with its closing form.
    var open: [Choice]
    var notice: String? = nil
    var errors: [FieldError] = []
    // Stored, not computed: templates read stored properties only.
    var what = "", why = "", dueBack = "", device = "", serial = "", encryption = "", contents = ""
    var encryptionConfirmed = false

    init(heading: String, intro: String, isMedia: Bool, table: Table, fields: [String: String], outcomes: [Choice], open: [Choice],
         notice: String? = nil, errors: [FieldError] = []) {
        self.heading = heading
        self.intro = intro
        self.isMedia = isMedia
        self.table = table
        self.fields = fields
        self.outcomes = outcomes
        self.open = open
        self.notice = notice
        self.errors = errors
        what = fields["what"] ?? ""
        why = fields["why"] ?? ""
        dueBack = fields["dueBack"] ?? ""
        device = fields["device"] ?? ""
        serial = fields["serial"] ?? ""
        encryption = fields["encryption"] ?? ""
        contents = fields["contents"] ?? ""
        encryptionConfirmed = fields["encryptionConfirmed"] == "yes"
    }
}

struct IncidentsPage: PageModel {
    static let template = "incidents"
    var title: String { errors.isEmpty ? "Incidents" : "Error: Incidents" }
    var table: Table
    var kinds: [Choice]
    var description = ""
    var shares: [Choice]
    var errors: [FieldError] = []
}

struct IncidentPage: PageModel {
    static let template = "incident"
    var title: String { errors.isEmpty ? "Incident" : "Error: Incident" }
    var id: String
    var open: Bool
    var deadline: String
    var deadlineWarning: String?
    var table: Table
    var shares: Table
    var canRecall: Bool
    var linkable: [Choice]
    var told: Table
    var parties: [Choice]
    var canDecide: Bool
    var decided: Bool
    var notice: String? = nil
    var errors: [FieldError] = []
}
