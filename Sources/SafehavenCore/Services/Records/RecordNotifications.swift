import Foundation

/// Notices the records pillar sends. Like every notice they say what kind of thing happened and
/// link to it: never who the information is about or what it says.
extension Notifications {
    static func authorisationRequested(_ share: Share, to manager: User, sender: User, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.authorisationRequested, to: manager.email, dedupe: "authorise:\(share.id):\(manager.id)", share: share,
                values: ["senderName": sender.name, "marking": share.marking.rawValue, "path": "/authorisations/\(share.id)"],
                ids: ids, at: now)
    }

    static func authorisationDecided(_ share: Share, approved: Bool, senderEmail: String, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.authorisationDecided, to: senderEmail, dedupe: "authorised:\(share.id)", share: share,
                values: ["decision": approved ? "approved" : "refused", "marking": share.marking.rawValue, "path": sharePath(share.id)],
                ids: ids, at: now)
    }

    static func consentWithdrawn(_ share: Share, consentID: String, senderEmail: String, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.consentWithdrawn, to: senderEmail, dedupe: "consent-withdrawn:\(consentID):\(share.id)", share: share,
                values: ["marking": share.marking.rawValue, "path": sharePath(share.id)], ids: ids, at: now)
    }

    static func overdue(what: String, recordID: String, path: String, due: Date, to person: User, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.recordOverdue, to: person.email, dedupe: "overdue:\(recordID):\(ISODate.format(due)):\(person.id)", share: nil,
                values: ["what": what, "due": ISODate.format(due), "path": path], ids: ids, at: now)
    }

    static func incidentDeadline(_ incident: Incident, to person: User, ids: any IDGenerator, at now: Date) -> OutboxMessage {
        message(.incidentDeadline, to: person.email, dedupe: "incident-deadline:\(incident.id):\(person.id)", share: nil,
                values: ["deadline": ISODate.format(incident.deadline), "path": "/records/incidents/\(incident.id)"], ids: ids, at: now)
    }
}
