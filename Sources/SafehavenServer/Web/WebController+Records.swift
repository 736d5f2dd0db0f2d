import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage

/// The register in the browser: what this person may see, recording by hand, corrections, export.
extension WebController {
    func addRecordRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/records") { _, context in try await staff(context) { try await recordsPage($0, context: context) } }
        group.get("/records.csv", use: recordsCSV)
        group.get("/records/new", use: newRecordPage)
        group.post("/records", use: saveRecord)
        group.get("/records/:id/correct", use: correctRecordPage)
        group.post("/records/:id/correct", use: saveRecord)
    }

    static let manualMethods: [(Disclosure.Method, String)] = [
        (.telephone, "Telephone"), (.fax, "Fax"), (.post, "Post"), (.inPerson, "In person"), (.secureEmail, "Secure email"),
        (.removableMedia, "Removable media"), (.sms, "Text message"), (.encryptedArchive, "Encrypted archive by email"),
    ]

    func recordsPage(_ user: User, context: AppRequestContext, notice: String? = nil) async throws -> Response {
        let entries = try await runtime.register.disclosures(for: user)
        let scope = RegisterService.canRead(user) ? "You see your organisation's whole register."
            : user.has(.manager) ? "You see your own records and your team's." : "You see the records you made."
        var alerts: [RecordsPage.Alert] = []
        let waiting = try await AuthorisationService(runtime.deps).pending(for: user).count
        if waiting > 0 { alerts.append(.init(text: waiting == 1 ? "One share is waiting for your authorisation." : "\(waiting) shares are waiting for your authorisation.", link: "/authorisations")) }
        for (share, _) in try await ConsentService(runtime.deps).withdrawnUnder(for: user) {
            alerts.append(.init(text: "Consent was withdrawn for \"\(share.subject)\", which recipients can still open. Review it.", link: "/shares/\(share.id)"))
        }
        for consent in try await ConsentService(runtime.deps).dueForReview(for: user) {
            alerts.append(.init(text: "A consent is due for review (since \(WebFormat.date(consent.reviewBy))).", link: "/records/consents/\(consent.id)"))
        }
        var page = RecordsPage(rows: entries.map { d in
            .init(id: d.id, when: WebFormat.date(d.at),
                  what: d.kind == .decisionNotToShare ? "Decided not to share: \(d.informationType)" :
                        d.kind == .received ? "Received: \(d.informationType)" : "Shared: \(d.informationType)",
                  how: d.method == .none ? "" : (Self.manualMethods.first { $0.0 == d.method }?.1 ?? "Safehaven"),
                  who: [d.recipientName, d.recipientOrganisation].filter { !$0.isEmpty }.joined(separator: ", "),
                  reason: d.reason, corrects: d.corrects, mine: d.recordedBy == user.id && d.shareID == nil)
        }, scope: scope, notice: notice)
        page.alerts = alerts
        page.isManager = user.has(.manager)
        return try render(page, context: context)
    }

    @Sendable func recordsCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let set = RecordsExport.Set(rawValue: request.uri.queryParameters["set"].map(String.init) ?? "register") ?? .register
            let csv = RecordsExport.csv(set, try await RecordsExport(runtime.deps).rows(set, for: user))
            return csvResponse(csv, filename: set == .register ? "safehaven-records.csv" : "safehaven-\(set.rawValue).csv")
        }
    }

    func recordForm(kind: Disclosure.Kind, fields: [String: String], corrects: String?, errors: [FieldError] = []) -> RecordFormPage {
        let method = Disclosure.Method(rawValue: fields["method"] ?? "") ?? .telephone
        let steps = RegisterService.checklist(for: method).enumerated().map { index, step in
            Choice(value: String(index), label: step, checked: fields["step-\(index)"] == "yes")
        }
        let heading = corrects != nil ? "Correct a record" : kind == .decisionNotToShare ? "Record a decision not to share"
            : kind == .received ? "Record information received" : "Record information shared another way"
        var page = RecordFormPage(
            heading: heading, action: corrects.map { "/records/\($0)/correct" } ?? "/records", kind: kind.rawValue,
            isDisclosure: kind == .disclosure, isDecision: kind == .decisionNotToShare,
            methods: Self.manualMethods.map { Choice(value: $0.0.rawValue, label: $0.1, checked: $0.0 == method) }, steps: steps,
            reason: fields["reason"] ?? "", informationType: fields["informationType"] ?? "", authorisedBy: fields["authorisedBy"] ?? "",
            recipientName: fields["recipientName"] ?? "", recipientJobTitle: fields["recipientJobTitle"] ?? "",
            recipientOrganisation: fields["recipientOrganisation"] ?? "", recipientPhone: fields["recipientPhone"] ?? "",
            recipientEmail: fields["recipientEmail"] ?? "", corrects: corrects, errors: errors)
        page.bases = Self.basisChoices.map { Choice(value: $0.0.rawValue, label: $0.0.label, checked: fields["lawfulBasis"] == $0.0.rawValue) }
        page.caseReferences = fields["caseReferences"] ?? ""
        page.justification = fields["justification"] ?? ""
        return page
    }

    @Sendable func newRecordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { _ in
            let kind = Disclosure.Kind(rawValue: request.uri.queryParameters["kind"].map(String.init) ?? "") ?? .disclosure
            return try render(recordForm(kind: kind, fields: [:], corrects: nil), context: context)
        }
    }

    @Sendable func correctRecordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let id = try context.parameters.require("id")
            guard let entry = try await runtime.store.read({ try await $0.disclosure(id: id) }), RegisterService.inScope(entry, for: user) else {
                throw SafehavenError.notFound
            }
            return try render(recordForm(kind: entry.kind, fields: [
                "method": entry.method.rawValue, "reason": entry.reason, "informationType": entry.informationType,
                "authorisedBy": entry.authorisedBy ?? "", "recipientName": entry.recipientName, "recipientJobTitle": entry.recipientJobTitle,
                "recipientOrganisation": entry.recipientOrganisation, "recipientPhone": entry.recipientPhone, "recipientEmail": entry.recipientEmail,
                "lawfulBasis": entry.lawfulBasis, "caseReferences": entry.subjects.joined(separator: ", "), "justification": entry.justification,
            ], corrects: id), context: context)
        }
    }

    @Sendable func saveRecord(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let corrects = context.parameters.get("id")
            let kind = Disclosure.Kind(rawValue: fields["kind"] ?? "") ?? .disclosure
            let method = Disclosure.Method(rawValue: fields["method"] ?? "") ?? (kind == .disclosure ? .telephone : .none)
            let steps = RegisterService.checklist(for: method)
            let confirmed = steps.enumerated().filter { fields["step-\($0.offset)"] == "yes" }.map(\.element)
            do {
                try await runtime.register.record(.init(
                    kind: kind, method: method, reason: fields["reason"] ?? "", informationType: fields["informationType"] ?? "",
                    authorisedBy: fields["authorisedBy"] ?? "", recipientName: fields["recipientName"] ?? "",
                    recipientJobTitle: fields["recipientJobTitle"] ?? "", recipientOrganisation: fields["recipientOrganisation"] ?? "",
                    recipientPhone: fields["recipientPhone"] ?? "", recipientEmail: fields["recipientEmail"] ?? "", confirmations: confirmed,
                    lawfulBasis: fields["lawfulBasis"] ?? "", caseReferences: ComposeState(["caseReferences": fields["caseReferences"] ?? ""]).caseReferences,
                    justification: fields["justification"] ?? ""),
                    by: user, correcting: corrects)
            } catch {
                let e = try Self.fieldError(error, default: "reason")
                return try render(recordForm(kind: kind, fields: fields, corrects: corrects,
                                             errors: [.init(field: Self.camel(e.field), message: e.message)]), context: context)
            }
            return try await recordsPage(user, context: context, notice: corrects == nil ? "Recorded." : "Correction recorded.")
        }
    }
}
