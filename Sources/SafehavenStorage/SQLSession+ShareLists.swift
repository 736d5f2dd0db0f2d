import Foundation
import SafehavenCore
import SQLKit

/// Inbox and sent items: a page of summaries in three queries whatever its size (the page with
/// its senders, the page's addressees, the total), keyset-paginated on (created_at, id).
extension SQLSession {
    func shares(_ query: ShareListQuery) async throws -> ShareListPage {
        let now = Millis.from(query.now)
        var filters: [SQLQueryString] = []
        let from: SQLQueryString
        let unread: SQLQueryString
        switch query.box {
        case .inbox:
            from = "share_recipients r JOIN shares s ON s.id = r.share_id"
            filters.append("r.user_id = \(bind: query.userID)")
            filters.append("r.deleted_at IS NULL")
            let opened: SQLQueryString = "EXISTS (SELECT 1 FROM tracking_events t WHERE t.recipient_id = r.id AND t.type = 'opened')"
            unread = "CASE WHEN \(opened) THEN 0 ELSE 1 END"
            if query.unreadOnly { filters.append("NOT \(opened)") }
        case .sent:
            from = "shares s"
            filters.append("s.sender_id = \(bind: query.userID)")
            unread = "NULL"
        }
        switch query.status {
        case .active?:
            filters.append("s.revoked_at IS NULL AND s.expired_at IS NULL AND s.expires_at > \(bind: now) AND s.destroyed_at IS NULL AND s.wrapped_key IS NOT NULL")
        case .expired?:
            filters.append("s.revoked_at IS NULL AND (s.expired_at IS NOT NULL OR s.expires_at <= \(bind: now))")
        case .revoked?:
            filters.append("s.revoked_at IS NOT NULL")
        case nil:
            break
        }
        let matching = filters.joined(separator: " AND ")
        var page = matching
        if let after = query.after {
            let at = Millis.from(after.createdAt)
            page = page + " AND (s.created_at < \(bind: at) OR (s.created_at = \(bind: at) AND s.id < \(bind: after.id)))"
        }
        let rows = try await db.raw("""
            SELECT s.*, \(unread) AS unread, u.email AS sender_email, u.name AS sender_name, u.job_title AS sender_job_title,
                u.phone AS sender_phone, o.name AS sender_organisation
            FROM \(from) JOIN users u ON u.id = s.sender_id LEFT JOIN organisations o ON o.id = s.sender_org_id
            WHERE \(page) ORDER BY s.created_at DESC, s.id DESC LIMIT \(bind: query.limit + 1)
            """).all()
        var items: [ShareSummary] = []
        for row in rows.prefix(query.limit) {
            let sender = PersonSummary(email: try row.string("sender_email"), name: try row.string("sender_name"),
                                       jobTitle: try row.string("sender_job_title"), phone: try row.string("sender_phone"),
                                       organisation: try row.optionalString("sender_organisation"))
            let unread = try row.optionalInt("unread").map { $0 != 0 }
            items.append(ShareSummary(share: try share(row), sender: sender, recipients: [], unread: unread))
        }
        if !items.isEmpty {
            let ids = items.map(\.share.id)
            let addressees = try await db.raw("""
                SELECT share_id, email FROM share_recipients WHERE share_id IN (\(binds: ids)) ORDER BY email, id
                """).all()
            var byShare: [String: [String]] = [:]
            for row in addressees { byShare[try row.string("share_id"), default: []].append(try row.string("email")) }
            for index in items.indices { items[index].recipients = byShare[items[index].share.id] ?? [] }
        }
        let total = try await db.raw("SELECT COUNT(*) AS n FROM \(from) WHERE \(matching)").first()?.int("n") ?? 0
        let next = rows.count > query.limit ? items.last.map { ShareCursor(createdAt: $0.share.createdAt, id: $0.share.id) } : nil
        return ShareListPage(items: items, total: Int(total), next: next)
    }
}
