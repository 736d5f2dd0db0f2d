import Foundation
import Hummingbird
import SafehavenCore

/// `GET /api/v1/register`: the organisation's register of disclosures.
struct RegisterController {
    let register: RegisterService

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.register, use: list)
    }

    /// The organisation's register of disclosures: information governance officers and administrators only.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> RegisterDTO {
        let user = try context.requireUser()
        let rows = try await register.disclosures(for: user)
        return RegisterDTO(disclosures: rows.map {
            Row(id: $0.id, at: ISODate.format($0.at), method: $0.method.rawValue, reason: $0.reason, informationType: $0.informationType,
                authorisedBy: $0.authorisedBy, recordedBy: $0.recordedBy, shareId: $0.shareID, recipientName: $0.recipientName,
                recipientJobTitle: $0.recipientJobTitle, recipientOrganisation: $0.recipientOrganisation, recipientPhone: $0.recipientPhone,
                recipientEmail: $0.recipientEmail)
        })
    }

    struct Row: Encodable {
        let id: String
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
    }
    struct RegisterDTO: ResponseEncodable { let disclosures: [Row] }
}
