import Foundation

// Typed replies of the records pillar.

struct SubjectReply: Decodable {
    let id: String
    let caseReference: String
    let displayName: String
}

struct ConsentReply: Decodable {
    let id: String
    let subjectID: String?
    let purposes: [String]
    let recipients: [String]
    let withdrawnAt: String?
}

struct ShareRefReply: Decodable {
    let id: String
    let status: String
}

struct ConsentDetailReply: Decodable {
    let consent: ConsentReply
    let shares: [ShareRefReply]
}

struct RegisterRowReply: Decodable {
    let id: String
    let kind: String
    let method: String
    let shareId: String?
    let authorisedBy: String?
    let recipientName: String
    let lawfulBasis: String
    let justification: String
    let consentId: String?
    let caseReferences: [String]
}

struct RegisterReply: Decodable { let disclosures: [RegisterRowReply] }

struct HistoryReply: Decodable {
    let subject: SubjectReply
    let consents: [ConsentReply]
    let disclosures: [RegisterRowReply]
}

struct BasisReply: Decodable {
    let id: String
    let basis: String
    let authorisation: String
    let reasons: [String]
    let decidedByName: String?
    let refusalReason: String?
}

struct AuthorisationReply: Decodable {
    let share: ShareRefReply
    let subject: String
    let message: String?
    let basis: BasisReply
    let caseReferences: [String]
}

struct AuthorisationListReply: Decodable { let authorisations: [AuthorisationReply] }

struct OffsiteReply: Decodable {
    let id: String
    let what: String
    let dueBack: String
    let returnedAt: String?
}

struct DeviceReply: Decodable {
    let id: String
    let outcome: String
    let encryptionConfirmed: Bool
    let incidentID: String?
}

struct IncidentBodyReply: Decodable {
    struct Told: Decodable { let party: String; let name: String }
    let id: String
    let kind: String
    let awareAt: String
    let told: [Told]
    let decision: String
    let shareIDs: [String]
    let recalled: [String: String]
    let closedAt: String?
    let lessons: String?
}

struct IncidentReply: Decodable {
    let incident: IncidentBodyReply
    let regulatorDeadline: String
    let shares: [ShareRefReply]
}
