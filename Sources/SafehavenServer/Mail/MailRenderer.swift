import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenMail

/// Writes an outbox row as an email: the same words as plain text and HTML, from the two mail
/// templates. It says who sent what kind of thing and links to it; the payload holds nothing
/// more, so nothing more can leak.
struct MailRenderer: Sendable {
    let pages: PageRenderer
    let from: String
    /// Opens an invitation's sealed link when its email is written.
    let kek: KeyEncryptionKey
    /// `https://safehaven.example.org`, without a trailing slash (known once the server listens).
    let base: @Sendable () -> String
    var baseURL: String { base() }

    var host: String { URL(string: baseURL)?.host ?? "safehaven.invalid" }

    struct Content: Sendable {
        var subject: String
        var heading: String
        var paragraphs: [String]
        var link: String?
        var linkText: String
    }

    func content(_ m: OutboxMessage) throws -> Content {
        let p = m.payload
        let who = [p["senderName"] ?? "", p["senderOrganisation"] ?? ""].filter { !$0.isEmpty }.joined(separator: " at ")
        let marking = p["marking"] ?? "OFFICIAL"
        let until = p["expires"].flatMap(ISODate.parse).map(WebFormat.date)
        var link = p["path"].map { baseURL + $0 }
        if m.kind == .invitation, let sealed = p["sealedToken"], let id = p["invitation"] {
            let token = String(decoding: try kek.openSecret(sealed, context: "invitation:\(id)"), as: UTF8.self)
            link = baseURL + "/invitations/" + token
        }
        switch m.kind {
        case .shareAnnounced:
            return Content(subject: "A secure share is waiting for you", heading: "You have a secure share",
                           paragraphs: ["\(who) has shared information marked \(marking) with you through Safehaven.",
                                        "Sign in to read it" + (until.map { ". It is available until \($0)." } ?? ".")],
                           link: link, linkText: "Open the share")
        case .replied:
            return Content(subject: "A reply is waiting for you", heading: "You have a reply",
                           paragraphs: ["\(who) has replied through Safehaven to a share you sent. The reply is marked \(marking).",
                                        "Sign in to read it."],
                           link: link, linkText: "Open the reply")
        case .receiptConfirmed:
            let person = [p["personName"] ?? "", p["personOrganisation"] ?? ""].filter { !$0.isEmpty }.joined(separator: " at ")
            return Content(subject: "Receipt confirmed", heading: "Receipt confirmed",
                           paragraphs: ["\(person) has confirmed they received a share you sent, marked \(marking)."],
                           link: link, linkText: "See what has happened to it")
        case .revoked:
            return Content(subject: "A share sent to you was withdrawn", heading: "A share was withdrawn",
                           paragraphs: ["\(who) has withdrawn a share marked \(marking) that was sent to you. It can no longer be opened and its content has been destroyed.",
                                        "If you downloaded any of its files, delete them unless your work requires you to keep them."],
                           link: nil, linkText: "")
        case .expiringSoon:
            return Content(subject: "A share sent to you expires soon", heading: "A share expires soon",
                           paragraphs: ["A share marked \(marking) that was sent to you has not been opened yet" + (until.map { ". It will no longer be available after \($0)." } ?? "."),
                                        "Sign in to read it before then."],
                           link: link, linkText: "Open the share")
        case .invitation:
            return Content(subject: "You have been invited to Safehaven", heading: "You have been invited to Safehaven",
                           paragraphs: ["\(who) wants to share information marked \(marking) with you securely through Safehaven.",
                                        "Follow the link to set a password and an authenticator app; then you can read what was sent and reply." +
                                            (until.map { " The link works until \($0)." } ?? "")],
                           link: link, linkText: "Set up your access")
        case .authorisationRequested:
            return Content(subject: "A share is waiting for your authorisation", heading: "Authorisation needed",
                           paragraphs: ["\(who) wants to share information marked \(marking) without the person's consent, or in bulk. It will not be sent until a manager authorises it.",
                                        "Sign in to read their reasons and authorise or refuse it."],
                           link: link, linkText: "Review the share")
        case .authorisationDecided:
            let approved = p["decision"] == "approved"
            return Content(subject: approved ? "Your share was authorised" : "Your share was not authorised",
                           heading: approved ? "Share authorised and sent" : "Share not authorised",
                           paragraphs: [approved ? "A manager authorised a share you made, marked \(marking). It has now been sent."
                                                 : "A manager did not authorise a share you made, marked \(marking). Nothing was sent and its content has been destroyed. Sign in to read their reason."],
                           link: link, linkText: "See the share")
        case .consentWithdrawn:
            return Content(subject: "Consent was withdrawn for a share you sent", heading: "Consent withdrawn",
                           paragraphs: ["The consent a share you sent relied on has been withdrawn. The share, marked \(marking), can still be opened by its recipients.",
                                        "Sign in to withdraw it in one step, or to record why it should stay."],
                           link: link, linkText: "Review the share")
        case .recordOverdue:
            return Content(subject: "Something is overdue for return", heading: "Overdue",
                           paragraphs: ["\(p["what"] ?? "An item") recorded in Safehaven was due back on \(p["due"].flatMap(ISODate.parse).map(WebFormat.date) ?? "an earlier date") and has not been recorded as returned.",
                                        "Return it and record the return, or tell your manager why it is still out."],
                           link: link, linkText: "See the record")
        case .incidentDeadline:
            return Content(subject: "An incident's 72 hours are nearly up", heading: "Decide whether to report the incident",
                           paragraphs: ["An incident recorded in Safehaven must be reported to the Information Commissioner's Office by \(p["deadline"].flatMap(ISODate.parse).map(WebFormat.date) ?? "the deadline") if it is likely to put people at risk.",
                                        "Sign in to record the decision to report it or not, and why."],
                           link: link, linkText: "Open the incident")
        }
    }

    func message(_ m: OutboxMessage) throws -> MailMessage {
        let c = try content(m)
        let values: [String: Any] = ["heading": c.heading, "paragraphs": c.paragraphs, "link": c.link as Any, "linkText": c.linkText]
        return MailMessage(
            from: .init(name: "Safehaven", email: from), to: .init(email: m.to), subject: c.subject,
            messageID: "\(m.messageID)@\(host)", date: m.createdAt,
            text: try pages.render("mail-text", values), html: try pages.render("mail-html", values),
            headers: [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")])
    }
}
