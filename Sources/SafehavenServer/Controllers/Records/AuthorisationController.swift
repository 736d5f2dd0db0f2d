import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/authorisations`: shares held for a manager's authorisation.
struct AuthorisationController {
    let deps: Dependencies
    var service: AuthorisationService { AuthorisationService(deps) }

    struct RequestDTO: Encodable {
        let share: ShareRef
        let subject: String
        let marking: String
        let purpose: String
        let message: String?
        let files: [FileRef]
        let sender: String
        let basis: ShareBasis
        let caseReferences: [String]

        struct FileRef: Encodable { let name: String; let size: Int64; let sha256: String }

        init(_ r: AuthorisationService.Request, now: Date, viewer: User) {
            share = ShareRef(r.share, now: now, viewer: viewer)
            subject = r.share.subject
            marking = r.share.marking.rawValue
            purpose = r.share.purpose
            message = r.message
            files = r.files.map { FileRef(name: $0.name, size: $0.size, sha256: $0.sha256) }
            sender = r.sender.map { $0.name + " <\($0.email)>" } ?? ""
            basis = r.basis
            caseReferences = r.caseReferences
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.listAuthorisations) { _, context in
            let user = try context.requireUser()
            let now = deps.clock.now()
            return try RecordJSON.response(["authorisations": try await service.pending(for: user).map { RequestDTO($0, now: now, viewer: user) }])
        }
        group.on(.showAuthorisation) { _, context in
            let user = try context.requireUser()
            return try RecordJSON.response(RequestDTO(try await service.request(try context.parameters.require("id"), for: user),
                                                      now: deps.clock.now(), viewer: user))
        }
        group.on(.approveShare) { _, context in
            try RecordJSON.response(try await service.approve(try context.parameters.require("id"), by: try context.requireUser()))
        }
        group.on(.refuseShare) { request, context in
            struct Body: Decodable { let reason: String }
            let body = try await request.json(Body.self, context: context)
            return try RecordJSON.response(try await service.refuse(try context.parameters.require("id"), reason: body.reason, by: try context.requireUser()))
        }
    }
}
