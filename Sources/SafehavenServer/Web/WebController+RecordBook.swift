import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage

/// Authorisations, the off-site and removable-media logs, and incidents, in the browser.
extension WebController {
    func addRecordBookRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/authorisations") { _, context in try await staff(context) { try await authorisationsPage($0, context: context) } }
        group.get("/authorisations/:id") { _, context in
            try await staff(context) { try await authorisationPage(try context.parameters.require("id"), user: $0, context: context) }
        }
        group.post("/authorisations/:id/approve", use: approveShare)
        group.post("/authorisations/:id/refuse", use: refuseShare)
        group.get("/records/offsite") { _, context in try await staff(context) { try await logbookPage(media: false, user: $0, context: context) } }
        group.post("/records/offsite", use: takeOffsite)
        group.post("/records/offsite/:id/return", use: returnOffsite)
        group.get("/records/media") { _, context in try await staff(context) { try await logbookPage(media: true, user: $0, context: context) } }
        group.post("/records/media", use: issueDevice)
        group.post("/records/media/:id/close", use: closeDevice)
        group.get("/records/incidents") { _, context in try await staff(context) { try await incidentsPage($0, context: context) } }
        group.post("/records/incidents", use: reportIncident)
        group.get("/records/incidents/:id") { _, context in
            try await staff(context) { try await incidentPage(try context.parameters.require("id"), user: $0, context: context) }
        }
        for action in ["recall", "shares", "told", "decision", "close"] {
            group.post(RouterPath("/records/incidents/:id/\(action)")) { request, context in try await incidentAction(action, request, context: context) }
        }
    }

    // MARK: authorisations

    func authorisationsPage(_ user: User, notice: String? = nil, context: AppRequestContext) async throws -> Response {
        let rows = try await AuthorisationService(runtime.deps).pending(for: user).map { r in
            TableRow(id: r.share.id, link: "/authorisations/\(r.share.id)",
                     cells: [r.share.subject, r.sender?.name ?? "", r.basis.basis.label, r.basis.reasons.joined(separator: "; "), WebFormat.date(r.share.createdAt)])
        }
        return try render(AuthorisationsPage(table: Table(caption: "Shares waiting for authorisation", headings: ["Subject", "From", "Basis", "Why it waits", "Made"],
                                                          rows: rows, empty: "Nothing is waiting for authorisation."), notice: notice), context: context)
    }

    func authorisationPage(_ id: String, user: User, reason: String = "", errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let r = try await AuthorisationService(runtime.deps).request(id, for: user)
        let facts: [(String, String)] = [
            ("From", r.sender.map { "\($0.name), \($0.jobTitle) (\($0.email))" } ?? ""), ("To", r.basis.recipients.joined(separator: ", ")),
            ("Subject", r.share.subject), ("Why it is shared", r.share.purpose), ("About", r.caseReferences.joined(separator: ", ")),
            ("Lawful basis", r.basis.basis.label), ("Why without consent", r.basis.justification), ("Why it waits", r.basis.reasons.joined(separator: "; ")),
        ]
        return try render(AuthorisationPage(
            id: id, marking: r.share.marking.rawValue,
            table: Table(caption: "The share", headings: ["", ""], rows: facts.filter { !$0.1.isEmpty }.map { TableRow(id: $0.0, cells: [$0.0, $0.1]) }),
            message: r.message,
            files: Table(caption: "Files", headings: ["Name", "Size"], rows: r.files.map { TableRow(id: $0.id, cells: [$0.name, WebFormat.size($0.size)]) },
                         empty: "No files."),
            reason: reason, errors: errors), context: context)
    }

    @Sendable func approveShare(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, _ in
            _ = try await AuthorisationService(runtime.deps).approve(try context.parameters.require("id"), by: user)
            return try await authorisationsPage(user, notice: "Authorised and sent. You are named in the register.", context: context)
        }
    }

    @Sendable func refuseShare(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let id = try context.parameters.require("id")
            do {
                _ = try await AuthorisationService(runtime.deps).refuse(id, reason: fields["reason"] ?? "", by: user)
            } catch let e as SafehavenError where e.code == "invalid_reason" {
                return try await authorisationPage(id, user: user, errors: [.init(field: "reason", message: "Give a reason for refusing: the sender reads it")],
                                                   context: context)
            }
            return try await authorisationsPage(user, notice: "Refused. Nothing was sent and the sender has been told.", context: context)
        }
    }

    // MARK: off site and removable media

    /// A date typed in a form: a day means five in the afternoon of that day.
    static func formDate(_ raw: String?, field: String) throws -> Date? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return try RecordJSON.date(raw.count == 10 ? raw + "T17:00:00Z" : raw, field: field)
    }

    func logbookPage(media: Bool, user: User, fields: [String: String] = [:], notice: String? = nil, errors: [FieldError] = [],
                     context: AppRequestContext) async throws -> Response {
        let now = runtime.deps.clock.now()
        let logbook = LogbookService(runtime.deps)
        var names: [String: String] = [:]
        for person in try await runtime.store.read({ try await $0.users(organisationID: user.organisationID) }) { names[person.id] = person.name }
        let table: Table
        if media {
            table = Table(caption: "Removable devices", headings: ["Device", "Holder", "Encryption", "Contents", "Due back", "State"], rows: try await logbook.devices(for: user).map { d in
                TableRow(id: d.id, cells: [d.device + " (\(d.serial))", names[d.holderID] ?? "", d.encryption, d.contents, WebFormat.date(d.dueBack),
                                           d.outcome == .issued ? "Issued" : d.outcome.rawValue.capitalized + " " + (d.closedAt.map(WebFormat.date) ?? "")],
                         flag: d.outcome == .issued && d.dueBack < now ? "Overdue" : nil)
            }, empty: "No devices recorded.")
        } else {
            table = Table(caption: "Off-site log", headings: ["What", "Who", "Why", "Taken", "Due back", "Returned"], rows: try await logbook.offsite(for: user).map { o in
                TableRow(id: o.id, cells: [o.what, names[o.holderID] ?? "", o.why, WebFormat.date(o.takenAt), WebFormat.date(o.dueBack),
                                           o.returnedAt.map(WebFormat.date) ?? "Not yet"],
                         flag: o.returnedAt == nil && o.dueBack < now ? "Overdue" : nil)
            }, empty: "Nothing recorded.")
        }
        let open = media ? try await logbook.devices(for: user).filter { $0.outcome == .issued }.map { ($0.id, "\($0.device) (\($0.serial))") }
                         : try await logbook.offsite(for: user).filter { $0.returnedAt == nil }.map { ($0.id, $0.what) }
        return try render(LogbookPage(
            heading: media ? "Removable media" : "Information taken off site",
            intro: media ? "Personal information goes on removable media only when nothing safer will do, and only on an encrypted device. Record each device issued, then whether it was wiped, destroyed or lost."
                         : "Record paper files, laptops and anything else holding personal information before it leaves the office, and record its return.",
            isMedia: media, table: table, fields: fields, outcomes: [],
            open: open.map { Choice(value: $0.0, label: $0.1, checked: false) }, notice: notice, errors: errors), context: context)
    }

    @Sendable func takeOffsite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            do {
                guard let due = try Self.formDate(fields["dueBack"], field: "due_back") else {
                    throw SafehavenError.invalid("due_back", "Say when it will be back, as a date such as 2026-11-30.")
                }
                _ = try await LogbookService(runtime.deps).takeOffsite(what: fields["what"] ?? "", why: fields["why"] ?? "", takenAt: nil, dueBack: due, by: user)
            } catch {
                let e = try Self.fieldError(error, default: "what")
                return try await logbookPage(media: false, user: user, fields: fields, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
            return try await logbookPage(media: false, user: user, notice: "Recorded. Record its return when it is back.", context: context)
        }
    }

    @Sendable func returnOffsite(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, _ in
            _ = try await LogbookService(runtime.deps).returnOffsite(try context.parameters.require("id"), at: nil, by: user)
            return try await logbookPage(media: false, user: user, notice: "Return recorded.", context: context)
        }
    }

    @Sendable func issueDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            do {
                guard let due = try Self.formDate(fields["dueBack"], field: "due_back") else {
                    throw SafehavenError.invalid("due_back", "Say when the device comes back, as a date such as 2026-11-30.")
                }
                _ = try await LogbookService(runtime.deps).issueDevice(.init(
                    device: fields["device"] ?? "", serial: fields["serial"] ?? "", encryption: fields["encryption"] ?? "",
                    encryptionConfirmed: fields["encryptionConfirmed"] == "yes", contents: fields["contents"] ?? "", dueBack: due), by: user)
            } catch {
                let e = try Self.fieldError(error, default: "device")
                return try await logbookPage(media: true, user: user, fields: fields, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
            return try await logbookPage(media: true, user: user, notice: "Device recorded as issued.", context: context)
        }
    }

    @Sendable func closeDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            guard let outcome = MediaDevice.Outcome(rawValue: fields["outcome"] ?? ""), outcome != .issued else {
                return try await logbookPage(media: true, user: user, errors: [.init(field: "outcome-\(context.parameters.get("id") ?? "")",
                                                                                      message: "Say whether the device was wiped, destroyed or lost")], context: context)
            }
            do {
                let device = try await LogbookService(runtime.deps).closeDevice(try context.parameters.require("id"), outcome: outcome, note: fields["note"] ?? "", by: user)
                if let incident = device.incidentID { return redirect("/records/incidents/\(incident)") }
            } catch let e as SafehavenError where e.kind == .unprocessable || e.kind == .badRequest {
                return try await logbookPage(media: true, user: user, errors: [.init(field: "note-\(context.parameters.get("id") ?? "")", message: e.message)],
                                             context: context)
            }
            return try await logbookPage(media: true, user: user, notice: "Device recorded as \(outcome.rawValue).", context: context)
        }
    }

    // MARK: incidents

    func incidentsPage(_ user: User, fields: [String: String] = [:], errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let now = runtime.deps.clock.now()
        let rows = try await IncidentService(runtime.deps).incidents(for: user).map { i in
            TableRow(id: i.id, link: "/records/incidents/\(i.id)", cells: [WebFormat.date(i.awareAt), i.kind.label, i.description,
                                                                           i.closedAt == nil ? "Open" : "Closed"],
                     flag: i.dueAt.map { $0 < now ? "Deadline passed" : $0.timeIntervalSince(now) < 24 * 3600 ? "Deadline near" : nil } ?? nil)
        }
        let recent = try await shares.list(.sent, for: user, limit: 20).items.filter { $0.share.revokedAt == nil }
        return try render(IncidentsPage(
            table: Table(caption: "Incidents", headings: ["Aware", "What", "Description", "State"], rows: rows, empty: "No incidents recorded."),
            kinds: Incident.Kind.allCases.map { Choice(value: $0.rawValue, label: $0.label, checked: fields["kind"] == $0.rawValue) },
            description: fields["description"] ?? "",
            shares: recent.map { Choice(value: $0.share.id, label: "\($0.share.subject), to \($0.recipients.joined(separator: ", ")), \(WebFormat.date($0.share.createdAt))",
                                        checked: fields["share-\($0.share.id)"] == "yes") },
            errors: errors), context: context)
    }

    @Sendable func reportIncident(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let linked = fields.keys.filter { $0.hasPrefix("share-") && fields[$0] == "yes" }.map { String($0.dropFirst(6)) }.sorted()
            do {
                let incident = try await IncidentService(runtime.deps).report(kind: fields["kind"] ?? "", description: fields["description"] ?? "",
                                                                              awareAt: nil, shareIDs: linked, by: user)
                return redirect("/records/incidents/\(incident.id)")
            } catch {
                let e = try Self.fieldError(error, default: "kind")
                return try await incidentsPage(user, fields: fields, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
        }
    }

    func incidentPage(_ id: String, user: User, notice: String? = nil, errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let service = IncidentService(runtime.deps)
        let incident = try await service.incident(id, for: user)
        let now = runtime.deps.clock.now()
        let linked = try await service.shares(of: id, for: user)
        var names: [String: String] = [:]
        for person in try await runtime.store.read({ try await $0.users(organisationID: user.organisationID) }) { names[person.id] = person.name }
        var facts: [(String, String)] = [
            ("What happened", incident.kind.label), ("Description", incident.description), ("Aware since", WebFormat.date(incident.awareAt)),
            ("Reported by", names[incident.reportedBy] ?? ""), ("Regulator deadline", WebFormat.date(incident.deadline)),
            ("Decision", incident.decision == .undecided ? "Not decided yet" : incident.decision == .report ? "Report to the regulator" : "Not reported"),
        ]
        if let reason = incident.decisionReason { facts.append(("Why", reason)) }
        if let reference = incident.regulatorReference, !reference.isEmpty { facts.append(("Regulator's reference", reference)) }
        if let lessons = incident.lessons { facts.append(("Lessons learned", lessons)) }
        if let closed = incident.closedAt { facts.append(("Closed", WebFormat.date(closed))) }
        var warning: String?
        if let due = incident.dueAt {
            let hours = Int(due.timeIntervalSince(now) / 3600)
            warning = hours < 0 ? "The 72 hours to report to the regulator passed on \(WebFormat.date(due)). Decide now and record why it is late."
                : hours < 24 ? "Less than \(max(hours, 1)) hours left to decide whether to report this to the regulator (by \(WebFormat.date(due)))." : nil
        }
        let recent = try await shares.list(.sent, for: user, limit: 20).items.filter { item in !linked.contains { $0.id == item.share.id } }
        return try render(IncidentPage(
            id: id, open: incident.closedAt == nil, deadline: WebFormat.date(incident.deadline), deadlineWarning: warning,
            table: Table(caption: "The incident", headings: ["", ""], rows: facts.map { TableRow(id: $0.0, cells: [$0.0, $0.1]) }),
            shares: Table(caption: "Shares involved", headings: ["Share", "Sent", "Status"], rows: linked.map { s in
                TableRow(id: s.id, link: s.senderID == user.id ? "/shares/\(s.id)" : nil,
                         cells: [s.senderID == user.id ? s.subject : "A share from your organisation", WebFormat.date(s.createdAt),
                                 WebFormat.status(s, unread: nil, now: now).text + (incident.recalled[s.id].map { ", recalled " + WebFormat.date($0) } ?? "")])
            }, empty: "No shares linked."),
            canRecall: linked.contains { $0.revokedAt == nil && $0.destroyedAt == nil },
            linkable: recent.map { Choice(value: $0.share.id, label: "\($0.share.subject), \(WebFormat.date($0.share.createdAt))", checked: false) },
            told: Table(caption: "Who was told", headings: ["Who", "Name", "When", "Reference"], rows: incident.told.map { t in
                TableRow(id: t.party.rawValue, cells: [t.party.label, t.name, WebFormat.date(t.at), t.reference])
            }, empty: "Nobody recorded yet: tell your line manager, the IT service desk and the data protection officer now."),
            parties: Incident.Party.allCases.map { Choice(value: $0.rawValue, label: $0.label, checked: false) },
            canDecide: incident.decision == .undecided && (user.has(.igOfficer) || user.has(.manager) || user.has(.admin)),
            decided: incident.decision != .undecided, notice: notice, errors: errors), context: context)
    }

    func incidentAction(_ action: String, _ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, f in
            let id = try context.parameters.require("id")
            let service = IncidentService(runtime.deps)
            let notice: String
            do {
                switch action {
                case "recall":
                    let n = try await service.recall(id, by: user)
                    notice = n == 1 ? "One share recalled: its recipients were told and its content destroyed." : "\(n) shares recalled: their recipients were told and their content destroyed."
                case "shares":
                    guard let share = f["shareId"], !share.isEmpty else { throw SafehavenError.invalid("share_id", "Choose a share to add.") }
                    _ = try await service.link(id, share: share, by: user)
                    notice = "Share added."
                case "told":
                    _ = try await service.told(id, party: f["party"] ?? "", name: f["name"] ?? "", at: nil, reference: f["reference"] ?? "", by: user)
                    notice = "Recorded."
                case "decision":
                    guard let choice = f["report"], choice == "yes" || choice == "no" else {
                        throw SafehavenError.invalid("report", "Choose whether to report it to the regulator.")
                    }
                    let reference = f["regulatorReference"] ?? ""
                    _ = try await service.decide(id, report: choice == "yes", reason: f["reason"] ?? "",
                                                 reportedAt: choice == "yes" && !reference.isEmpty ? runtime.deps.clock.now() : nil, reference: reference, by: user)
                    notice = "Decision recorded."
                default:
                    _ = try await service.close(id, lessons: f["lessons"] ?? "", by: user)
                    notice = "Incident closed."
                }
            } catch {
                let e = try Self.fieldError(error, default: action == "told" ? "party" : action == "decision" ? "report" : "lessons")
                return try await incidentPage(id, user: user, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
            return try await incidentPage(id, user: user, notice: notice, context: context)
        }
    }
}
