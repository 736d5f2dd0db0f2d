/// The channel advisor: a few questions, then the channels ranked with their checklists.
struct AdvisorPage: PageModel {
    static let template = "advisor"
    var title: String { errors.isEmpty ? (channels.isEmpty ? "Choosing a channel" : "How to send it") : "Error: Choosing a channel" }
    struct Advice: Sendable {
        var title: String
        var rank: String
        var why: String
        var suitable: Bool
        var steps: [String]
        var mustNot: [String]
        var artefacts: [String]
    }
    var profile: String
    var to: String
    var people: String
    var markings: [Choice]
    var urgencies: [Choice]
    var hasAccount: [Choice]
    var route: String?
    var routeWarnings: [String] = []
    var scale: String?
    var channels: [Advice] = []
    var never: [String] = []
    var errors: [FieldError] = []
}

/// A form for a fax cover sheet or envelope labels, and the printable result on the same page.
struct FaxCoverPage: PageModel {
    static let template = "fax-cover"
    var title: String { errors.isEmpty ? "Fax cover sheet" : "Error: Fax cover sheet" }
    struct Row: Sendable { var label: String; var value: String }
    var toName = ""
    var toOrganisation = ""
    var toFax = ""
    var fromName = ""
    var fromOrganisation = ""
    var fromSwitchboard = ""
    var pages = "1"
    var marking: String?
    var rows: [Row] = []
    var errors: [FieldError] = []
}

struct EnvelopePage: PageModel {
    static let template = "envelope"
    var title: String { errors.isEmpty ? "Envelope labels" : "Error: Envelope labels" }
    var toName = ""
    var toJobTitle = ""
    var toAddress = ""
    var returnAddress = ""
    var signedFor = false
    var printed = false
    var addressee: [String] = []
    var address: [String] = []
    var returnLines: [String] = []
    var postage = ""
    var errors: [FieldError] = []
}

/// Exporting a share as an encrypted archive: the choice about file names, then the password once.
struct ExportPage: PageModel {
    static let template = "export"
    var title: String { password == nil ? (errors.isEmpty ? "Make an encrypted archive" : "Error: Make an encrypted archive") : "Archive ready" }
    var id: String
    var subject: String
    var names: [Choice]
    var password: String?
    var download: String?
    var size: String?
    var errors: [FieldError] = []
}

/// Passwords agreed with partner organisations for archives, with their rotation dates.
struct PartnerPasswordsPage: PageModel {
    static let template = "partner-passwords"
    var title: String { errors.isEmpty ? "Archive passwords agreed with partners" : "Error: Archive passwords agreed with partners" }
    struct Row: Sendable { var id: String; var partner: String; var purpose: String; var rotateBy: String; var due: Bool }
    var rows: [Row]
    var revealed: String?
    var revealedPartner: String?
    var partner = ""
    var purpose = ""
    var rotateDays = "90"
    var errors: [FieldError] = []
}
