import Foundation
import SafehavenCore

/// How dates, sizes and states read on a page.
enum WebFormat {
    /// "1 December 2026, 09:00", UK time.
    static func date(_ date: Date) -> String { london(date, "d MMMM yyyy, HH:mm") }

    /// "1 December 2026".
    static func day(_ date: Date) -> String { london(date, "d MMMM yyyy") }

    static func london(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "Europe/London")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)
    }

    /// A status in words, and the style for it: new, read, expiring (within two days), withdrawn…
    static func status(_ share: Share, unread: Bool?, now: Date) -> (text: String, style: String) {
        switch share.status(at: now) {
        case .revoked: return ("Withdrawn", "revoked")
        case .expired: return ("Expired", "expired")
        case .destroyed: return ("Destroyed", "destroyed")
        case .pendingAuthorisation: return ("Waiting for authorisation", "held")
        case .active:
            if share.expiresAt.timeIntervalSince(now) < 2 * 86_400 { return ("Expiring", "expiring") }
            return unread == true ? ("New", "new") : ("Read", "read")
        }
    }

    /// What a tracking event means, for a person.
    static func describe(_ type: TrackingType) -> String {
        switch type {
        case .announced: return "Email notice queued"
        case .opened: return "Opened"
        case .downloaded: return "Downloaded a file"
        case .downloadFailed: return "A download failed its integrity check"
        case .viewed: return "Viewed a file in the page"
        case .receiptConfirmed: return "Confirmed receipt"
        case .replied: return "Replied"
        case .deleted: return "Removed it from their inbox"
        case .revoked: return "Withdrawn"
        case .expired: return "Expired"
        case .destroyed: return "Content destroyed"
        }
    }

    /// Where the email telling someone a share is waiting has got to.
    static func notice(_ message: OutboxMessage) -> String {
        switch message.state {
        case .queued, .sending:
            return message.attempts > 0 ? "Email notice: waiting to be sent again (the mail relay did not take it yet)" : "Email notice: waiting to be sent"
        case .accepted:
            return "Email notice: handed over for delivery" + (message.acceptedAt.map { " on \(date($0))" } ?? "")
        case .failed:
            return "Email notice: could not be sent; your administrator has been shown why"
        }
    }

    static func person(_ summary: PersonSummary?) -> String {
        guard let summary else { return "" }
        return [summary.name, summary.organisation ?? ""].filter { !$0.isEmpty }.joined(separator: ", ")
    }
}
