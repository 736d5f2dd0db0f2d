import Foundation
import Hummingbird
import SafehavenCore

/// `/api/v1/offsite` and `/api/v1/media`: what leaves the office, and removable devices.
struct LogbookController {
    let deps: Dependencies
    var logbook: LogbookService { LogbookService(deps) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.listOffsite) { _, context in
            try RecordJSON.response(["items": try await logbook.offsite(for: try context.requireUser())])
        }
        group.on(.takeOffsite) { request, context in
            struct Body: Decodable { let what: String; let why: String; let takenAt: String?; let dueBack: String }
            let b = try await request.json(Body.self, context: context)
            let item = try await logbook.takeOffsite(what: b.what, why: b.why, takenAt: try RecordJSON.date(b.takenAt, field: "taken_at"),
                                                     dueBack: try RecordJSON.required(b.dueBack, field: "due_back"), by: try context.requireUser())
            return try RecordJSON.response(item, status: .created)
        }
        group.on(.returnOffsite) { request, context in
            struct Body: Decodable { let returnedAt: String? }
            let b = try await request.json(Body.self, context: context)
            return try RecordJSON.response(try await logbook.returnOffsite(try context.parameters.require("id"),
                                                                           at: try RecordJSON.date(b.returnedAt, field: "returned_at"), by: try context.requireUser()))
        }
        group.on(.listMedia) { _, context in
            try RecordJSON.response(["devices": try await logbook.devices(for: try context.requireUser())])
        }
        group.on(.issueMedia) { request, context in
            struct Body: Decodable {
                let device: String; let serial: String; let encryption: String; let encryptionConfirmed: Bool
                let contents: String; let dueBack: String; let holder: String?
            }
            let b = try await request.json(Body.self, context: context)
            let device = try await logbook.issueDevice(.init(device: b.device, serial: b.serial, encryption: b.encryption,
                                                             encryptionConfirmed: b.encryptionConfirmed, contents: b.contents,
                                                             dueBack: try RecordJSON.required(b.dueBack, field: "due_back"), holderEmail: b.holder),
                                                       by: try context.requireUser())
            return try RecordJSON.response(device, status: .created)
        }
        group.on(.closeMedia) { request, context in
            struct Body: Decodable { let outcome: String; let note: String? }
            let b = try await request.json(Body.self, context: context)
            guard let outcome = MediaDevice.Outcome(rawValue: b.outcome) else {
                throw SafehavenError.invalid("outcome", "outcome is wiped, destroyed or lost.")
            }
            return try RecordJSON.response(try await logbook.closeDevice(try context.parameters.require("id"), outcome: outcome, note: b.note ?? "",
                                                                         by: try context.requireUser()))
        }
    }
}
