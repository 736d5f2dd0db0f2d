import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/incidents`: report, link and recall shares, who was told, the regulator decision, closing.
struct IncidentController {
    let deps: Dependencies
    var service: IncidentService { IncidentService(deps) }

    struct IncidentDTO: Encodable {
        let incident: Incident
        let regulatorDeadline: Date
        let shares: [ShareRef]
    }

    func dto(_ incident: Incident, for user: User) async throws -> IncidentDTO {
        let now = deps.clock.now()
        return IncidentDTO(incident: incident, regulatorDeadline: incident.deadline,
                           shares: try await service.shares(of: incident.id, for: user).map { ShareRef($0, now: now, viewer: user) })
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.listIncidents) { _, context in
            try RecordJSON.response(["incidents": try await service.incidents(for: try context.requireUser())])
        }
        group.on(.reportIncident) { request, context in
            struct Body: Decodable { let kind: String; let description: String; let awareAt: String?; let shares: [String]? }
            let b = try await request.json(Body.self, context: context)
            let user = try context.requireUser()
            let incident = try await service.report(kind: b.kind, description: b.description, awareAt: try RecordJSON.date(b.awareAt, field: "aware_at"),
                                                    shareIDs: b.shares ?? [], by: user)
            return try RecordJSON.response(try await dto(try await service.incident(incident.id, for: user), for: user), status: .created)
        }
        group.on(.showIncident) { _, context in
            let user = try context.requireUser()
            return try RecordJSON.response(try await dto(try await service.incident(try context.parameters.require("id"), for: user), for: user))
        }
        group.on(.linkIncidentShare) { request, context in
            struct Body: Decodable { let shareId: String }
            let b = try await request.json(Body.self, context: context)
            let user = try context.requireUser()
            return try RecordJSON.response(try await dto(try await service.link(try context.parameters.require("id"), share: b.shareId, by: user), for: user))
        }
        group.on(.recallIncident) { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            let withdrawn = try await service.recall(id, by: user)
            struct Recalled: Encodable { let withdrawn: Int; let incident: IncidentDTO }
            return try RecordJSON.response(Recalled(withdrawn: withdrawn, incident: try await dto(try await service.incident(id, for: user), for: user)))
        }
        group.on(.incidentTold) { request, context in
            struct Body: Decodable { let party: String; let name: String; let at: String?; let reference: String? }
            let b = try await request.json(Body.self, context: context)
            let user = try context.requireUser()
            let incident = try await service.told(try context.parameters.require("id"), party: b.party, name: b.name,
                                                  at: try RecordJSON.date(b.at, field: "at"), reference: b.reference ?? "", by: user)
            return try RecordJSON.response(try await dto(incident, for: user))
        }
        group.on(.decideIncident) { request, context in
            struct Body: Decodable { let report: Bool; let reason: String; let reportedAt: String?; let reference: String? }
            let b = try await request.json(Body.self, context: context)
            let user = try context.requireUser()
            let incident = try await service.decide(try context.parameters.require("id"), report: b.report, reason: b.reason,
                                                    reportedAt: try RecordJSON.date(b.reportedAt, field: "reported_at"), reference: b.reference ?? "", by: user)
            return try RecordJSON.response(try await dto(incident, for: user))
        }
        group.on(.closeIncident) { request, context in
            struct Body: Decodable { let lessons: String }
            let b = try await request.json(Body.self, context: context)
            let user = try context.requireUser()
            return try RecordJSON.response(try await dto(try await service.close(try context.parameters.require("id"), lessons: b.lessons, by: user), for: user))
        }
    }
}
