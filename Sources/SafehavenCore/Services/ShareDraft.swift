import Foundation

/// What a sender asks for, as received (JSON part `share`). Every field is checked by
/// `ShareService.accept`; nothing here is trusted.
public struct ShareDraft: Codable, Sendable, Equatable {
    public var subject: String?
    public var message: String?
    public var recipients: [String]?
    public var marking: String?
    public var purpose: String?
    public var handling: String?
    /// ISO 8601 date-time.
    public var expiresAt: String?
    public var viewOnly: Bool?
    public var requireReceipt: Bool?
    /// Names of the people the share is about: used only to keep them out of the subject, never stored.
    public var about: [String]?
    /// The lawful basis: consent, public-interest, legal-duty, vital-interests, safeguarding or
    /// no-personal-data. Replies take the basis of the share they answer.
    public var basis: String?
    /// The case references of the people the share is about (recorded under Records, People).
    public var caseReferences: [String]?
    /// One particular consent to rely on; otherwise any live consent that covers the share.
    public var consentId: String?
    /// Why confidentiality is set aside, for every basis but consent.
    public var justification: String?

    public init(subject: String? = nil, message: String? = nil, recipients: [String]? = nil, marking: String? = nil,
                purpose: String? = nil, handling: String? = nil, expiresAt: String? = nil, viewOnly: Bool? = nil,
                requireReceipt: Bool? = nil, basis: String? = nil, caseReferences: [String]? = nil, consentId: String? = nil,
                justification: String? = nil) {
        self.basis = basis
        self.caseReferences = caseReferences
        self.consentId = consentId
        self.justification = justification
        self.subject = subject
        self.message = message
        self.recipients = recipients
        self.marking = marking
        self.purpose = purpose
        self.handling = handling
        self.expiresAt = expiresAt
        self.viewOnly = viewOnly
        self.requireReceipt = requireReceipt
    }
}
