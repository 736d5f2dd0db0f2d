import Foundation
import SafehavenCore
import SQLKit

/// Inbox and sent items: a page of summaries in one query whatever its size (the page with its
/// senders, each share's addressees and the total), keyset-paginated on (creation time, id); a
/// second query counts only when a page after the first comes back empty. The page is read off an index in order
/// (`share_recipients_inbox`, `shares_sent`), so a page of 20 touches about 20 rows however long
/// the list is.
extension SQLSession {
    /// The share columns a list shows: never the sealed message or the policy notes.
    static let summaryColumns: SQLQueryString = """
        s.id, s.sender_id, s.sender_org_id, s.subject, NULL AS message_sealed, NULL AS wrapped_key, s.marking, s.legacy_marking,
        s.purpose, s.handling, s.view_only, s.require_receipt, s.created_at, s.expires_at, s.revoked_at, s.expired_at,
        s.destroyed_at, s.parent_id, s.thread_id, NULL AS policy_notes, s.held
        """

    func shares(_ query: ShareListQuery) async throws -> ShareListPage {
        let now = Millis.from(query.now)
        var filters: [SQLQueryString] = []
        let owner: SQLQueryString
        let order: (at: SQLQueryString, id: SQLQueryString)
        let unread: SQLQueryString
        switch query.box {
        case .inbox:
            owner = "share_recipients r"
            order = ("r.share_created_at", "r.share_id")
            filters.append("r.user_id = \(bind: query.userID)")
            filters.append("r.deleted_at IS NULL")
            let opened: SQLQueryString = "EXISTS (SELECT 1 FROM tracking_events t WHERE t.recipient_id = r.id AND t.type = 'opened')"
            unread = "CASE WHEN \(opened) THEN 0 ELSE 1 END"
            if query.unreadOnly { filters.append("NOT \(opened)") }
        case .sent:
            owner = "shares s"
            order = ("s.created_at", "s.id")
            filters.append("s.sender_id = \(bind: query.userID)")
            unread = "NULL"
        }
        switch query.status {
        case .active?:
            filters.append("s.revoked_at IS NULL AND s.expired_at IS NULL AND s.expires_at > \(bind: now) AND s.destroyed_at IS NULL")
        case .expired?:
            filters.append("s.revoked_at IS NULL AND (s.expired_at IS NOT NULL OR s.expires_at <= \(bind: now))")
        case .revoked?:
            filters.append("s.revoked_at IS NOT NULL")
        case nil:
            break
        }
        // The inbox needs the share row only to filter by status or to show it.
        let from: SQLQueryString = query.box == .inbox ? "share_recipients r JOIN shares s ON s.id = r.share_id" : owner
        let matching = filters.joined(separator: " AND ")
        var page = matching
        if let after = query.after {
            let at = Millis.from(after.createdAt)
            page = page + " AND (\(order.at) < \(bind: at) OR (\(order.at) = \(bind: at) AND \(order.id) < \(bind: after.id)))"
        }
        // Without a status filter the inbox total counts addressee rows alone, off the same index.
        let counted: SQLQueryString = query.status == nil ? owner : from
        let total: SQLQueryString = "(SELECT COUNT(*) FROM \(counted) WHERE \(matching))"
        // Addresses hold no spaces (EmailAddress), so a space separates them.
        let addressees: SQLQueryString = "(SELECT string_agg(x.email, ' ' ORDER BY x.email) FROM share_recipients x WHERE x.share_id = s.id)"
        let rows = try await db.raw("""
            SELECT \(Self.summaryColumns), \(unread) AS unread, \(addressees) AS addressees, \(total) AS total,
                u.email AS sender_email, u.name AS sender_name, u.job_title AS sender_job_title, u.phone AS sender_phone,
                o.name AS sender_organisation
            FROM \(from) JOIN users u ON u.id = s.sender_id LEFT JOIN organisations o ON o.id = s.sender_org_id
            WHERE \(page) ORDER BY \(order.at) DESC, \(order.id) DESC LIMIT \(bind: query.limit + 1)
            """).all()
        var items: [ShareSummary] = []
        for row in rows.prefix(query.limit) {
            let sender = PersonSummary(email: try row.string("sender_email"), name: try row.string("sender_name"),
                                       jobTitle: try row.string("sender_job_title"), phone: try row.string("sender_phone"),
                                       organisation: try row.optionalString("sender_organisation"))
            let unread = try row.optionalInt("unread").map { $0 != 0 }
            let recipients = (try row.optionalString("addressees") ?? "").split(separator: " ").map(String.init)
            items.append(ShareSummary(share: try share(row), sender: sender, recipients: recipients, unread: unread))
        }
        let count: Int64
        if let first = rows.first {
            count = try first.int("total")
        } else if query.after == nil {
            count = 0  // nothing matches at all
        } else {
            count = try await db.raw("SELECT \(total) AS n").first()?.int("n") ?? 0
        }
        let next = rows.count > query.limit ? items.last.map { ShareCursor(createdAt: $0.share.createdAt, id: $0.share.id) } : nil
        return ShareListPage(items: items, total: Int(count), next: next)
    }
}
