/// The inbox or sent items: one page of shares, newest first.
struct InboxPage: PageModel {
    static let template = "share-list"
    struct Row: Sendable {
        var id: String
        var subject: String
        var party: String
        var sent: String
        var status: String
        var statusClass: String
    }
    var title: String
    var otherParty: String
    var shares: [Row]
    var next: String?
}

/// One share as its sender or an addressee sees it.
struct SharePage: PageModel {
    static let template = "share"
    struct File: Sendable {
        var id: String
        var shareID: String
        var name: String
        var size: String
        var downloadable: Bool
        var viewable: Bool
    }
    struct Event: Sendable { var what: String; var when: String }
    struct Timeline: Sendable { var email: String; var events: [Event]; var notice: String? = nil }
    struct ThreadItem: Sendable { var id: String; var subject: String; var from: String; var sent: String; var current: Bool }
    var title: String { subject }
    var id: String
    var subject: String
    var marking: String
    var sender: String
    var sent: String
    var expires: String
    var status: String
    var statusClass: String
    var purpose: String
    var handling: String
    var message: String?
    var files: [File]
    var viewOnly: Bool
    var canConfirm: Bool
    var receiptConfirmed: String?
    var canReply: Bool
    var isSender: Bool
    var recipients: [Timeline]
    var canRevoke: Bool
    var canExport: Bool
    var thread: [ThreadItem]
    var justSent: Bool
    struct Invited: Sendable { var email: String; var shareID: String; var expires: String; var usable: Bool }
    var invitations: [Invited] = []
    /// For the sender: the lawful basis, and where its authorisation stands.
    var basis: String? = nil
    var justification: String? = nil
    var held = false
    var refusal: String? = nil
    var authorisedBy: String? = nil
    /// The consent the share relied on has since been withdrawn.
    var consentWithdrawn = false
}

/// A file of a view-only share shown in the page, under a watermark naming the viewer.
struct ViewFilePage: PageModel {
    static let template = "view-file"
    var title: String { name }
    var shareID: String
    var name: String
    var marking: String
    var watermark: String
    var text: String?
    /// A `data:` URI of a picture recognised by its bytes.
    var picture: String?
    var reason: String?
}

struct RevokePage: PageModel {
    static let template = "revoke"
    let title = "Withdraw this share"
    var id: String
    var subject: String
}

struct RevokedPage: PageModel {
    static let template = "revoked"
    let title = "Share withdrawn"
    var subject: String
}
