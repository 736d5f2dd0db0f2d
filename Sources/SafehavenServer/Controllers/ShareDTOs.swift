import Foundation
import SafehavenCore

/// What the API says about a share. Dates are ISO 8601 strings.
struct ShareSummaryDTO: Encodable {
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

    init(_ share: Share, now: Date, sender: PersonDTO?, recipients: [String]) {
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
    }
}

struct PersonDTO: Encodable {
    let email: String
    let name: String
    let jobTitle: String
    let phone: String
    let organisation: String?

    init(_ user: User, organisation: Organisation?) {
        email = user.email
        name = user.name
        jobTitle = user.jobTitle
        phone = user.phone
        self.organisation = organisation?.name
    }
}

struct FileDTO: Encodable {
    let id: String
    let name: String
    let size: Int64
    let sha256: String
    let contentType: String
}

struct ShareDetailDTO: Encodable {
    let share: ShareSummaryDTO
    let message: String?
    let files: [FileDTO]
    let receiptConfirmedAt: String?
    /// What the rules said when it was sent; shown to the sender only.
    let policyChecks: PolicyChecks?

    enum CodingKeys: String, CodingKey { case message, files, receiptConfirmedAt, policyChecks }

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

struct ShareListDTO: Encodable {
    let shares: [ShareSummaryDTO]
}

struct TrackingDTO: Encodable {
    struct Event: Encodable {
        let type: String
        let at: String
    }
    struct RecipientEvents: Encodable {
        let email: String
        let events: [Event]
    }
    let shareId: String
    let status: String
    let recipients: [RecipientEvents]
}
