import Foundation

/// One entry in the register of disclosures: what was shared, why, how and with whom. Every
/// Safehaven share writes one per recipient; other channels add theirs through the register.
public struct Disclosure: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case safehaven
        case encryptedArchive = "encrypted-archive"
        case secureEmail = "secure-email"
        case post, fax, telephone
        case inPerson = "in-person"
        case removableMedia = "removable-media"
        case sms
        /// A decision not to share, or information received: nothing went out.
        case none
    }

    /// What the entry records.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case disclosure
        case decisionNotToShare = "decision_not_to_share"
        case received
    }

    public var id: String
    public var organisationID: String
    public var shareID: String?
    public var recordedBy: String
    public var at: Date
    public var method: Method
    /// Why it was shared (the share's purpose).
    public var reason: String
    /// What kind of information (the protective marking and, for shares, the handling).
    public var informationType: String
    public var authorisedBy: String?
    public var recipientName: String
    public var recipientJobTitle: String
    public var recipientOrganisation: String
    public var recipientPhone: String
    public var recipientEmail: String
    public var kind: Kind = .disclosure
    /// The entry this one corrects; the corrected entry itself is never changed.
    public var corrects: String?
    /// The steps of the channel's checklist the person confirmed they followed.
    public var confirmations: [String] = []
    /// The recorder's team (department) at the time, for managers' view of their team's records.
    public var team: String = ""
    /// The lawful basis it was made under ("" for entries from before bases were recorded).
    public var lawfulBasis: String = ""
    /// Why confidentiality was set aside, when the basis is not consent.
    public var justification: String = ""
    /// The consent it relied on.
    public var consentID: String?
    /// The case references of the people it is about.
    public var subjects: [String] = []

    public init(id: String, organisationID: String, shareID: String?, recordedBy: String, at: Date, method: Method, reason: String,
                informationType: String, authorisedBy: String?, recipientName: String, recipientJobTitle: String,
                recipientOrganisation: String, recipientPhone: String, recipientEmail: String) {
        self.id = id
        self.organisationID = organisationID
        self.shareID = shareID
        self.recordedBy = recordedBy
        self.at = at
        self.method = method
        self.reason = reason
        self.informationType = informationType
        self.authorisedBy = authorisedBy
        self.recipientName = recipientName
        self.recipientJobTitle = recipientJobTitle
        self.recipientOrganisation = recipientOrganisation
        self.recipientPhone = recipientPhone
        self.recipientEmail = recipientEmail
    }
}

extension Disclosure {
    /// The same disclosure made again by another method (an archive of a share already sent).
    public func repeated(method: Method, id: String, at: Date, by user: User) -> Disclosure {
        var copy = self
        copy.id = id
        copy.at = at
        copy.method = method
        copy.recordedBy = user.id
        return copy
    }

    /// The recipient as the register recorded them.
    public var recipient: PersonSummary {
        PersonSummary(email: recipientEmail, name: recipientName, jobTitle: recipientJobTitle, phone: recipientPhone,
                      organisation: recipientOrganisation.isEmpty ? nil : recipientOrganisation)
    }

    /// The register entry for sending `share` to `recipient` by `method`. The recipient's details
    /// are copied as they are now, so later changes to an account never rewrite the register.
    public static func forShare(_ share: Share, method: Method, sender: User, recipient: PersonSummary, id: String, at: Date) -> Disclosure {
        Disclosure(id: id, organisationID: sender.organisationID, shareID: share.id, recordedBy: sender.id, at: at, method: method,
                   reason: share.purpose,
                   informationType: share.marking.rawValue + (share.handling.isEmpty ? "" : "; handling: \(share.handling)"),
                   authorisedBy: nil, recipientName: recipient.name, recipientJobTitle: recipient.jobTitle,
                   recipientOrganisation: recipient.organisation ?? "", recipientPhone: recipient.phone, recipientEmail: recipient.email)
    }
}

/// A share exported as a password-protected archive (the password is never stored).
public struct ShareExport: Codable, Equatable, Sendable {
    public var id: String
    public var shareID: String
    public var blobID: String
    public var createdBy: String
    public var createdAt: Date
    public var size: Int64
    public var destroyedAt: Date?

    public init(id: String, shareID: String, blobID: String, createdBy: String, createdAt: Date, size: Int64) {
        self.id = id
        self.shareID = shareID
        self.blobID = blobID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.size = size
    }
}

/// A password shared with a partner organisation for regular archive exchanges, sealed under
/// the key-encryption key, with the date by which it should be changed.
public struct PartnerPassword: Codable, Equatable, Sendable {
    public var id: String
    public var organisationID: String
    public var partner: String
    public var purpose: String
    public var passwordSealed: String
    public var createdBy: String
    public var createdAt: Date
    public var rotateBy: Date
    public var retiredAt: Date?

    public init(id: String, organisationID: String, partner: String, purpose: String, passwordSealed: String, createdBy: String,
                createdAt: Date, rotateBy: Date) {
        self.id = id
        self.organisationID = organisationID
        self.partner = partner
        self.purpose = purpose
        self.passwordSealed = passwordSealed
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.rotateBy = rotateBy
    }
}
