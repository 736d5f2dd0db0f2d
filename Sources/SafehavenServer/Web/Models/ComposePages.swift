/// A hidden form field that carries an earlier answer to the next step.
struct Hidden: Sendable, Equatable { var name: String; var value: String }

/// A radio button or checkbox choice.
struct Choice: Sendable { var value: String; var label: String; var hint: String = ""; var checked: Bool }

/// One recipient as the sender checks them: who they are, the route verdict, any warnings.
struct RecipientRow: Sendable {
    var email: String
    var person: String
    var verdict: String
    var secure: Bool
    var warnings: [String]
    var firstTime: Bool
    var invite: Bool = false
}

/// Step 1: who the share is for.
struct ComposeRecipientsPage: PageModel {
    static let template = "compose-recipients"
    var title: String { errors.isEmpty ? "Who are you sending to?" : "Error: Who are you sending to?" }
    var recipients: String
    var hidden: [Hidden]
    var errors: [FieldError] = []
}

/// Step 2: the recipients checked, then what the share says and how it may be used.
struct ComposeDetailsPage: PageModel {
    static let template = "compose-details"
    var title: String { errors.isEmpty ? "About this share" : "Error: About this share" }
    var review: [RecipientRow]
    var needsConfirmation: Bool
    var confirmed: Bool
    var subject: String
    var markings: [Choice]
    var purpose: String
    var bases: [Choice]
    var caseReferences: String
    var justification: String
    var handling: String
    var message: String
    var expiries: [Choice]
    var viewOnly: Bool
    var requireReceipt: Bool
    var hidden: [Hidden]
    var errors: [FieldError] = []
}

/// Step 3: everything at a glance, the files, and send.
struct ComposeCheckPage: PageModel {
    static let template = "compose-check"
    var title: String { errors.isEmpty ? "Check your answers and add files" : "Error: Check your answers and add files" }
    struct Row: Sendable { var key: String; var value: String; var step: String }
    var rows: [Row]
    var maxSize: String
    var maxFiles: Int
    var hidden: [Hidden]
    var errors: [FieldError] = []
}

/// A reply: a message and files, back to the sender of the share it answers.
struct ReplyPage: PageModel {
    static let template = "reply"
    var title: String { errors.isEmpty ? "Reply" : "Error: Reply" }
    var id: String
    var subject: String
    var to: String
    var marking: String
    var message: String = ""
    var errors: [FieldError] = []
}
