import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/register`: the register as the person may see it, and what they record by hand.
struct RegisterController {
    let register: RegisterService

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.register, use: list)
        group.on(.recordRegister) { request, context in try await record(request, context: context, correcting: nil) }
        group.on(.correctRegister) { request, context in
            try await record(request, context: context, correcting: try context.parameters.require("id"))
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> RegisterDTO {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        func date(_ name: String) throws -> Date? {
            guard let raw = query[Substring(name)].map(String.init), !raw.isEmpty else { return nil }
            guard let value = ISODate.parse(raw) else { throw SafehavenError.invalid(name, "\(name) must be an ISO 8601 date and time.") }
            return value
        }
        return RegisterDTO(disclosures: try await register.disclosures(for: user, from: try date("from"), to: try date("to")).map(Row.init))
    }

    struct EntryBody: Decodable {
        let kind: String
        let method: String?
        let at: String?
        let reason: String
        let informationType: String
        let authorisedBy: String?
        let recipientName: String?
        let recipientJobTitle: String?
        let recipientOrganisation: String?
        let recipientPhone: String?
        let recipientEmail: String?
        let confirmations: [String]?
        let lawfulBasis: String?
        let caseReferences: [String]?
        let consentId: String?
        let justification: String?
    }

    @Sendable func record(_ request: Request, context: AppRequestContext, correcting: String?) async throws -> EditedResponse<Row> {
        let user = try context.requireUser()
        let body = try await request.decode(as: EntryBody.self, context: context)
        guard let kind = Disclosure.Kind(rawValue: body.kind) else {
            throw SafehavenError.invalid("kind", "kind is disclosure, decision_not_to_share or received.")
        }
        let method = try body.method.map { raw -> Disclosure.Method in
            guard let method = Disclosure.Method(rawValue: raw) else { throw SafehavenError.invalid("method", "Unknown method \(raw.prefix(40)).") }
            return method
        } ?? .none
        let at = try body.at.map { raw -> Date in
            guard let date = ISODate.parse(raw) else { throw SafehavenError.invalid("at", "at must be an ISO 8601 date and time.") }
            return date
        }
        let saved = try await register.record(.init(
            kind: kind, method: method, at: at, reason: body.reason, informationType: body.informationType, authorisedBy: body.authorisedBy ?? "",
            recipientName: body.recipientName ?? "", recipientJobTitle: body.recipientJobTitle ?? "",
            recipientOrganisation: body.recipientOrganisation ?? "", recipientPhone: body.recipientPhone ?? "",
            recipientEmail: body.recipientEmail ?? "", confirmations: body.confirmations ?? [], lawfulBasis: body.lawfulBasis ?? "",
            caseReferences: body.caseReferences ?? [], consentID: body.consentId ?? "", justification: body.justification ?? ""),
            by: user, correcting: correcting)
        return EditedResponse(status: .created, response: Row(saved))
    }

    struct Row: ResponseEncodable {
        let id: String
        let kind: String
        let at: String
        let method: String
        let reason: String
        let informationType: String
        let authorisedBy: String?
        let recordedBy: String
        let shareId: String?
        let recipientName: String
        let recipientJobTitle: String
        let recipientOrganisation: String
        let recipientPhone: String
        let recipientEmail: String
        let confirmations: [String]
        let corrects: String?
        let lawfulBasis: String
        let justification: String
        let consentId: String?
        let caseReferences: [String]

        init(_ d: Disclosure) {
            lawfulBasis = d.lawfulBasis
            justification = d.justification
            consentId = d.consentID
            caseReferences = d.subjects
            id = d.id
            kind = d.kind.rawValue
            at = ISODate.format(d.at)
            method = d.method.rawValue
            reason = d.reason
            informationType = d.informationType
            authorisedBy = d.authorisedBy
            recordedBy = d.recordedBy
            shareId = d.shareID
            recipientName = d.recipientName
            recipientJobTitle = d.recipientJobTitle
            recipientOrganisation = d.recipientOrganisation
            recipientPhone = d.recipientPhone
            recipientEmail = d.recipientEmail
            confirmations = d.confirmations
            corrects = d.corrects
        }
    }
    struct RegisterDTO: ResponseEncodable { let disclosures: [Row] }
}
