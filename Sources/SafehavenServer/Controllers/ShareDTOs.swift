import Foundation
import Hummingbird
import SafehavenCore

/// What the API says about a share. Dates are ISO 8601 strings.
struct ShareSummaryDTO: ResponseEncodable {
    let id: String
    let subject: String
    let marking: String
    let legacyMarking: String?
    let purpose: String
    let handling: String
    let status: String
    let viewOnly: Bool
    let requireReceipt: Bool
    let createdAt: String
    let expiresAt: String
    let revokedAt: String?
    let destroyedAt: String?
    let threadId: String
    let parentId: String?
    let sender: PersonDTO?
    let recipients: [String]
    /// Inbox only: not opened yet.
    let unread: Bool?

    init(_ summary: ShareSummary, now: Date) {
        self.init(summary.share, now: now, sender: PersonDTO(summary.sender), recipients: summary.recipients, unread: summary.unread)
    }

    init(_ share: Share, now: Date, sender: PersonDTO?, recipients: [String], unread: Bool? = nil) {
        id = share.id
        subject = share.subject
        marking = share.marking.rawValue
        legacyMarking = share.legacyMarking
        purpose = share.purpose
        handling = share.handling
        status = share.status(at: now).rawValue
        viewOnly = share.viewOnly
        requireReceipt = share.requireReceipt
        createdAt = ISODate.format(share.createdAt)
        expiresAt = ISODate.format(share.expiresAt)
        revokedAt = share.revokedAt.map(ISODate.format)
        destroyedAt = share.destroyedAt.map(ISODate.format)
        threadId = share.threadID
        parentId = share.parentID
        self.sender = sender
        self.recipients = recipients
        self.unread = unread
    }
}

struct PersonDTO: Encodable {
    let email: String
    let name: String
    let jobTitle: String
    let phone: String
    let organisation: String?

    init(_ person: PersonSummary) {
        email = person.email
        name = person.name
        jobTitle = person.jobTitle
        phone = person.phone
        organisation = person.organisation
    }
}

struct FileDTO: Encodable {
    let id: String
    let name: String
    let size: Int64
    let sha256: String
    let contentType: String
}

struct ShareDetailDTO: ResponseEncodable {
    let share: ShareSummaryDTO
    let message: String?
    let files: [FileDTO]
    let receiptConfirmedAt: String?
    /// What the rules said when it was sent; shown to the sender only.
    let policyChecks: PolicyChecks?

    enum CodingKeys: String, CodingKey { case message, files, receiptConfirmedAt, policyChecks }

    init(_ detail: ShareService.Detail, now: Date) {
        share = ShareSummaryDTO(detail.share, now: now,
                                sender: detail.sender.map(PersonDTO.init),
                                recipients: detail.recipients.map(\.email))
        message = detail.message
        files = detail.files.map { FileDTO(id: $0.id, name: $0.name, size: $0.size, sha256: $0.sha256, contentType: $0.contentType) }
        receiptConfirmedAt = detail.viewer?.receiptAt.map(ISODate.format)
        policyChecks = detail.viewerIsSender ? PolicyChecks.from(json: detail.share.policyNotes) : nil
    }

    func encode(to encoder: Encoder) throws {
        // Flatten: the share's fields sit beside message and files.
        try share.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(files, forKey: .files)
        try container.encodeIfPresent(receiptConfirmedAt, forKey: .receiptConfirmedAt)
        try container.encodeIfPresent(policyChecks, forKey: .policyChecks)
    }
}

/// One page of a list, with where the next one starts.
struct ShareListDTO: ResponseEncodable {
    let shares: [ShareSummaryDTO]
    let total: Int
    /// Pass as `?cursor=` for the next page; absent on the last page.
    let nextCursor: String?

    init(_ page: ShareListPage, now: Date) {
        shares = page.items.map { ShareSummaryDTO($0, now: now) }
        total = page.total
        nextCursor = page.next?.token
    }
}

struct TrackingDTO: ResponseEncodable {
    struct Event: Encodable {
        let type: String
        let at: String
    }
    struct Notice: Encodable {
        /// queued (waiting or being retried), accepted (by the mail relay) or failed.
        let state: String
        let acceptedAt: String?
    }
    struct RecipientEvents: Encodable {
        let email: String
        let events: [Event]
        let notice: Notice?
    }
    let shareId: String
    let status: String
    let recipients: [RecipientEvents]
}
