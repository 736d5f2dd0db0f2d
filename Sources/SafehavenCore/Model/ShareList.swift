import Foundation

/// Which shares a list shows: one person's inbox or sent items, one page at a time, newest first.
public struct ShareListQuery: Sendable, Equatable {
    public enum Box: String, Sendable { case inbox, sent }
    /// Filters on where a share stands; `destroyed` shares count as neither revoked nor expired.
    public enum StatusFilter: String, Sendable, CaseIterable { case active, expired, revoked }

    public var box: Box
    public var userID: String
    public var status: StatusFilter?
    /// Inbox only: shares the person has not opened yet.
    public var unreadOnly: Bool
    public var limit: Int
    /// Continue after this position (exclusive).
    public var after: ShareCursor?
    /// The moment expiry is judged against.
    public var now: Date

    public init(box: Box, userID: String, status: StatusFilter? = nil, unreadOnly: Bool = false, limit: Int,
                after: ShareCursor? = nil, now: Date) {
        self.box = box
        self.userID = userID
        self.status = status
        self.unreadOnly = unreadOnly
        self.limit = limit
        self.after = after
        self.now = now
    }
}

/// A position in a list: the creation time and id of the last share seen. Opaque to clients.
public struct ShareCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Base64url of `<milliseconds>:<id>`.
    public var token: String {
        let raw = "\(AuditEvent.millis(createdAt)):\(id)"
        return Data(raw.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token made by `token`; anything else is refused with `invalid_cursor`.
    public static func parse(_ token: String) throws -> ShareCursor {
        let bad = SafehavenError.invalid("cursor", "The cursor is not one this service gave out; start again from the first page.")
        guard token.count <= 200, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { throw bad }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), let millis = Int64(text[..<colon]), millis >= 0 else { throw bad }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty, id.count <= 100 else { throw bad }
        return ShareCursor(createdAt: Date(timeIntervalSince1970: TimeInterval(millis) / 1000), id: id)
    }
}

/// A share as a list shows it: the sender as a person and the addressees. Lists never load
/// content: from a list, `share.messageSealed` and `share.policyNotes` are nil whatever is stored.
public struct ShareSummary: Sendable, Equatable {
    public var share: Share
    public var sender: PersonSummary
    public var recipients: [String]
    /// Inbox only: whether the viewer has not opened it yet.
    public var unread: Bool?

    public init(share: Share, sender: PersonSummary, recipients: [String], unread: Bool?) {
        self.share = share
        self.sender = sender
        self.recipients = recipients
        self.unread = unread
    }
}

/// Who someone is, as others see them.
public struct PersonSummary: Sendable, Equatable {
    public var email: String
    public var name: String
    public var jobTitle: String
    public var phone: String
    public var organisation: String?

    public init(email: String, name: String, jobTitle: String, phone: String, organisation: String?) {
        self.email = email
        self.name = name
        self.jobTitle = jobTitle
        self.phone = phone
        self.organisation = organisation
    }

    public init(_ user: User, organisation: Organisation?) {
        self.init(email: user.email, name: user.name, jobTitle: user.jobTitle, phone: user.phone, organisation: organisation?.name)
    }
}

/// One page of a list.
public struct ShareListPage: Sendable, Equatable {
    public var items: [ShareSummary]
    /// How many shares match the filters in all, across every page.
    public var total: Int
    /// Where the next page starts; nil on the last page.
    public var next: ShareCursor?

    public init(items: [ShareSummary], total: Int, next: ShareCursor?) {
        self.items = items
        self.total = total
        self.next = next
    }
}
