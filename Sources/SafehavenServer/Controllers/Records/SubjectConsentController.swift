import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/subjects` and `/api/v1/consents`: the people information is about, and their consents.
struct SubjectConsentController {
    let deps: Dependencies

    var subjects: SubjectService { SubjectService(deps) }
    var consents: ConsentService { ConsentService(deps) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.listSubjects) { request, context in
            let user = try context.requireUser()
            if let reference = request.uri.queryParameters["caseReference"].map(String.init) {
                return try RecordJSON.response(["subjects": try await subjects.find(caseReference: reference, for: user).map { [$0] } ?? []])
            }
            return try RecordJSON.response(["subjects": try await subjects.list(for: user)])
        }
        group.on(.createSubject) { request, context in
            struct Body: Decodable { let caseReference: String; let displayName: String }
            let body = try await request.json(Body.self, context: context)
            return try RecordJSON.response(try await subjects.create(caseReference: body.caseReference, displayName: body.displayName,
                                                                     by: try context.requireUser()), status: .created)
        }
        group.on(.showSubject) { _, context in
            let history = try await subjects.history(try context.parameters.require("id"), for: try context.requireUser())
            struct HistoryDTO: Encodable { let subject: DataSubject; let consents: [Consent]; let disclosures: [RegisterController.Row] }
            return try RecordJSON.response(HistoryDTO(subject: history.subject, consents: history.consents,
                                                      disclosures: history.disclosures.map(RegisterController.Row.init)))
        }
        group.on(.listConsents) { request, context in
            let user = try context.requireUser()
            let due = request.uri.queryParameters["due"].map(String.init) == "review"
            return try RecordJSON.response(["consents": due ? try await consents.dueForReview(for: user) : try await consents.list(for: user)])
        }
        group.on(.recordConsent) { request, context in
            struct Body: Decodable {
                let caseReference: String; let givenBy: String; let giverName: String; let capacityNote: String?
                let purposes: [String]; let recipients: [String]; let recipientKinds: String?; let information: String
                let limits: String?; let givenAt: String?; let reviewBy: String?
            }
            let b = try await request.json(Body.self, context: context)
            let consent = try await consents.record(.init(
                caseReference: b.caseReference, givenBy: b.givenBy, giverName: b.giverName, capacityNote: b.capacityNote ?? "", purposes: b.purposes,
                recipients: b.recipients, recipientKinds: b.recipientKinds ?? "", information: b.information, limits: b.limits ?? "",
                givenAt: try RecordJSON.date(b.givenAt, field: "given_at"), reviewBy: try RecordJSON.date(b.reviewBy, field: "review_by")),
                by: try context.requireUser())
            return try RecordJSON.response(consent, status: .created)
        }
        group.on(.showConsent) { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            struct ConsentDTO: Encodable { let consent: Consent; let shares: [ShareRef] }
            let now = deps.clock.now()
            return try RecordJSON.response(ConsentDTO(consent: try await consents.consent(id, for: user),
                                                      shares: try await consents.shares(under: id, for: user).map { ShareRef($0, now: now, viewer: user) }))
        }
        group.on(.withdrawConsent) { request, context in
            struct Body: Decodable { let note: String? }
            let body = try await request.json(Body.self, context: context)
            let (consent, alerted) = try await consents.withdraw(try context.parameters.require("id"), note: body.note ?? "", by: try context.requireUser())
            struct Withdrawn: Encodable { let consent: Consent; let sendersAlerted: Int }
            return try RecordJSON.response(Withdrawn(consent: consent, sendersAlerted: alerted))
        }
        group.on(.revokeUnderConsent) { _, context in
            let user = try context.requireUser()
            let withdrawn = try await consents.revokeShares(under: try context.parameters.require("id"), by: user)
            return try RecordJSON.response(["withdrawn": withdrawn])
        }
    }
}

/// A share as the records show it: its id and state, and its subject line only to its sender.
struct ShareRef: Encodable {
    let id: String
    let status: String
    let createdAt: Date
    let subject: String?

    init(_ share: Share, now: Date, viewer: User) {
        id = share.id
        status = share.status(at: now).rawValue
        createdAt = share.createdAt
        subject = share.senderID == viewer.id ? share.subject : nil
    }
}
