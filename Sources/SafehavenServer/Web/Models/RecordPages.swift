/// The register as this person may see it.
struct RecordsPage: PageModel {
    static let template = "records"
    let title = "Records of sharing"
    struct Row: Sendable {
        var id: String
        var when: String
        var what: String
        var how: String
        var who: String
        var reason: String
        var corrects: String?
        var mine: Bool
    }
    var rows: [Row]
    var scope: String
    var notice: String?
    struct Alert: Sendable { var text: String; var link: String }
    var alerts: [Alert] = []
    var isManager = false
}

/// Recording a disclosure made another way, a decision not to share, or information received.
struct RecordFormPage: PageModel {
    static let template = "record-form"
    var title: String { errors.isEmpty ? heading : "Error: \(heading)" }
    var heading: String
    var action: String
    var kind: String
    var isDisclosure: Bool
    var isDecision: Bool
    var methods: [Choice]
    var steps: [Choice]
    var reason = ""
    var informationType = ""
    var authorisedBy = ""
    var recipientName = ""
    var recipientJobTitle = ""
    var recipientOrganisation = ""
    var recipientPhone = ""
    var recipientEmail = ""
    var corrects: String?
    var errors: [FieldError] = []
    var bases: [Choice] = []
    var caseReferences = ""
    var justification = ""
}
