import Foundation

// Typed replies: a reply that does not match fails to decode, and the test with it.

struct ErrorReply: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String
        let requestId: String?
    }
    let error: Detail
}

struct SignedIn: Decodable {
    let token: String
    let expiresAt: String
}

struct PersonReply: Decodable {
    let email: String
    let name: String
    let jobTitle: String
    let phone: String
    let organisation: String?
}

struct ShareSummaryReply: Decodable {
    let id: String
    let subject: String
    let marking: String
    let status: String
    let createdAt: String
    let expiresAt: String
    let sender: PersonReply?
    let recipients: [String]
    let unread: Bool?
}

struct ShareListReply: Decodable {
    let shares: [ShareSummaryReply]
    let total: Int
    let nextCursor: String?
}

struct FileReply: Decodable {
    let id: String
    let name: String
    let size: Int64
    let sha256: String
    let contentType: String
}

struct ShareDetailReply: Decodable {
    let id: String
    let subject: String
    let status: String
    let handling: String
    let message: String?
    let files: [FileReply]
    let sender: PersonReply?
    let recipients: [String]
}

struct TrackingReply: Decodable {
    struct Event: Decodable {
        let type: String
        let at: String
    }
    struct Recipient: Decodable {
        let email: String
        let events: [Event]
    }
    let shareId: String
    let status: String
    let recipients: [Recipient]
}

struct DraftReply: Decodable {
    struct Upload: Decodable {
        let id: String
        let name: String
        let size: Int64
        let received: Int64
        let complete: Bool
        let sha256: String?
        let location: String
    }
    let id: String
    let expiresAt: String
    let uploads: [Upload]
}
