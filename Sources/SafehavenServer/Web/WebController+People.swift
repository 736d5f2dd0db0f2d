import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage

/// People the information is about, their printable history, and consent, in the browser.
extension WebController {
    func addPeopleRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/records/people", use: peoplePage)
        group.post("/records/people", use: addPerson)
        group.get("/records/people/:id", use: personPage)
        group.get("/records/people/:id/print", use: personPrint)
        group.get("/records/people/:id/history.csv", use: personCSV)
        group.get("/records/consents/new", use: consentForm)
        group.post("/records/consents", use: saveConsent)
        group.get("/records/consents/:id", use: consentPage)
        group.post("/records/consents/:id/withdraw", use: withdrawConsent)
        group.post("/records/consents/:id/revoke-shares", use: revokeUnderConsent)
    }

    var subjects: SubjectService { SubjectService(runtime.deps) }
    var consents: ConsentService { ConsentService(runtime.deps) }

    func people(_ user: User, fields: [String: String] = [:], notFound: String? = nil, errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let rows = try await subjects.list(for: user).map {
            TableRow(id: $0.id, link: "/records/people/\($0.id)", cells: [$0.caseReference, $0.displayName, WebFormat.date($0.createdAt)])
        }
        return try render(PeoplePage(table: Table(caption: "People", headings: ["Case reference", "Name", "Added"], rows: rows, empty: "Nobody yet."),
                                     caseReference: fields["caseReference"] ?? "", displayName: fields["displayName"] ?? "", notFound: notFound,
                                     errors: errors), context: context)
    }

    @Sendable func peoplePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            if let wanted = request.uri.queryParameters["find"].map(String.init), !wanted.trimmingCharacters(in: .whitespaces).isEmpty {
                if let found = try await subjects.find(caseReference: wanted, for: user) { return redirect("/records/people/\(found.id)") }
                return try await people(user, notFound: String(wanted.prefix(60)), context: context)
            }
            return try await people(user, context: context)
        }
    }

    @Sendable func addPerson(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            do {
                let subject = try await subjects.create(caseReference: fields["caseReference"] ?? "", displayName: fields["displayName"] ?? "", by: user)
                return redirect("/records/people/\(subject.id)")
            } catch let e as SafehavenError where e.kind == .conflict {
                return try await people(user, fields: fields, errors: [.init(field: "caseReference", message: e.message)], context: context)
            } catch {
                let e = try Self.fieldError(error, default: "caseReference")
                return try await people(user, fields: fields, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
        }
    }

    func historyTables(_ history: SubjectService.History) async throws -> (Table, Table) {
        let organisations = try await runtime.store.read { try await $0.organisations() }
        let named = Dictionary(organisations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let consentRows = history.consents.map { c in
            TableRow(id: c.id, link: "/records/consents/\(c.id)",
                     cells: [WebFormat.date(c.givenAt), "\(c.givenBy.label): \(c.giverName)", c.purposes.joined(separator: "; "),
                             c.recipients.map { named[$0] ?? $0 }.joined(separator: ", "), c.limits, WebFormat.date(c.reviewBy)],
                     flag: c.withdrawnAt != nil ? "Withdrawn" : c.reviewBy < runtime.deps.clock.now() ? "Review due" : nil)
        }
        let entryRows = history.disclosures.map { d in
            TableRow(id: d.id, cells: [WebFormat.date(d.at), Self.describe(d), [d.recipientName, d.recipientJobTitle, d.recipientOrganisation, d.recipientPhone]
                        .filter { !$0.isEmpty }.joined(separator: ", "), d.reason,
                     (LawfulBasis(rawValue: d.lawfulBasis)?.label ?? "") + (d.authorisedBy.map { "; authorised by \($0)" } ?? "")])
        }
        return (Table(caption: "Consents", headings: ["Given", "By", "Purposes", "Recipients", "Limits", "Review by"], rows: consentRows,
                      empty: "No consent recorded."),
                Table(caption: "History", headings: ["When", "What", "Who", "Why", "Basis"], rows: entryRows, empty: "Nothing recorded yet."))
    }

    static func describe(_ d: Disclosure) -> String {
        let how = d.method == .none ? "" : " (\(manualMethods.first { $0.0 == d.method }?.1 ?? "Safehaven"))"
        switch d.kind {
        case .decisionNotToShare: return "Decided not to share: \(d.informationType)"
        case .received: return "Received: \(d.informationType)"
        case .disclosure: return "Shared: \(d.informationType)\(how)"
        }
    }

    @Sendable func personPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let history = try await subjects.history(try context.parameters.require("id"), for: user)
            let (consentTable, entryTable) = try await historyTables(history)
            return try render(PersonPage(id: history.subject.id, caseReference: history.subject.caseReference, displayName: history.subject.displayName,
                                         consents: consentTable, entries: entryTable, printedAt: WebFormat.date(runtime.deps.clock.now())),
                              context: context)
        }
    }

    @Sendable func personPrint(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let history = try await subjects.history(try context.parameters.require("id"), for: user)
            let (consentTable, entryTable) = try await historyTables(history)
            return try render(PersonPrintPage(caseReference: history.subject.caseReference, displayName: history.subject.displayName,
                                              consents: consentTable, entries: entryTable, printedAt: WebFormat.date(runtime.deps.clock.now()),
                                              printedBy: user.name), context: context)
        }
    }

    /// The person's register entries in the export's columns.
    @Sendable func personCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let history = try await subjects.history(try context.parameters.require("id"), for: user)
            let csv = RegisterService.csv(try await runtime.register.rows(history.disclosures.reversed()))
            return csvResponse(csv, filename: "disclosure-history.csv")
        }
    }

    func csvResponse(_ csv: String, filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = ContentDisposition.attachment(filename: filename)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    func consentFormPage(_ fields: [String: String], errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let organisations = try await runtime.store.read { try await $0.organisations() }.filter { $0.id != "external" }
        return try render(ConsentFormPage(
            caseReference: fields["caseReference"] ?? "",
            givers: Consent.GivenBy.allCases.map { Choice(value: $0.rawValue, label: $0.label, checked: fields["givenBy"] == $0.rawValue) },
            giverName: fields["giverName"] ?? "", capacityNote: fields["capacityNote"] ?? "", purposes: fields["purposes"] ?? "",
            organisations: organisations.map { Choice(value: $0.id, label: $0.name, checked: fields["org-\($0.id)"] == "yes") },
            domains: fields["domains"] ?? "", recipientKinds: fields["recipientKinds"] ?? "", information: fields["information"] ?? "",
            limits: fields["limits"] ?? "", reviewBy: fields["reviewBy"] ?? "", errors: errors), context: context)
    }

    @Sendable func consentForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { _ in
            try await consentFormPage(["caseReference": request.uri.queryParameters["ref"].map(String.init) ?? ""], context: context)
        }
    }

    @Sendable func saveConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let organisations = fields.keys.filter { $0.hasPrefix("org-") && fields[$0] == "yes" }.map { String($0.dropFirst(4)) }.sorted()
            let domains = (fields["domains"] ?? "").components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            do {
                let reviewBy = try RecordJSON.date(fields["reviewBy"], field: "review_by")
                let consent = try await consents.record(.init(
                    caseReference: fields["caseReference"] ?? "", givenBy: fields["givenBy"] ?? "", giverName: fields["giverName"] ?? "",
                    capacityNote: fields["capacityNote"] ?? "", purposes: [fields["purposes"] ?? ""], recipients: organisations + domains,
                    recipientKinds: fields["recipientKinds"] ?? "", information: fields["information"] ?? "", limits: fields["limits"] ?? "",
                    reviewBy: reviewBy), by: user)
                return redirect("/records/consents/\(consent.id)")
            } catch {
                let e = try Self.fieldError(error, default: "caseReference")
                return try await consentFormPage(fields, errors: [.init(field: Self.camel(e.field), message: e.message)], context: context)
            }
        }
    }

    func consentView(_ id: String, user: User, notice: String? = nil, errors: [FieldError] = [], context: AppRequestContext) async throws -> Response {
        let consent = try await consents.consent(id, for: user)
        let subject = try await subjects.subject(consent.subjectID ?? "", for: user)
        let now = runtime.deps.clock.now()
        let shares = try await consents.shares(under: id, for: user)
        let organisations = try await runtime.store.read { try await $0.organisations() }
        let recipients = consent.recipients.map { r in organisations.first { $0.id == r }?.name ?? r }
        var facts: [(String, String)] = [
            ("Given by", "\(consent.givenBy.label): \(consent.giverName)"), ("Given on", WebFormat.date(consent.givenAt)),
            ("Purposes", consent.purposes.joined(separator: "; ")), ("Recipients", recipients.joined(separator: ", ")),
            ("What information", consent.information), ("Review by", WebFormat.date(consent.reviewBy)),
        ]
        if !consent.capacityNote.isEmpty { facts.insert(("Capacity", consent.capacityNote), at: 1) }
        if !consent.recipientKinds.isEmpty { facts.append(("Kinds of recipient", consent.recipientKinds)) }
        if !consent.limits.isEmpty { facts.append(("Limits", consent.limits)) }
        if let withdrawn = consent.withdrawnAt { facts.append(("Withdrawn", WebFormat.date(withdrawn) + " " + (consent.withdrawalNote ?? ""))) }
        return try render(ConsentPage(
            id: id, caseReference: subject.caseReference, subjectID: subject.id,
            table: Table(caption: "The consent", headings: ["", ""], rows: facts.map { TableRow(id: $0.0, cells: [$0.0, $0.1]) }),
            withdrawn: consent.withdrawnAt != nil,
            shares: Table(caption: "Shares made under this consent", headings: ["Sent", "Status"], rows: shares.map { share in
                TableRow(id: share.id, link: share.senderID == user.id ? "/shares/\(share.id)" : nil,
                         cells: [WebFormat.date(share.createdAt), WebFormat.status(share, unread: nil, now: now).text])
            }, empty: "None."),
            mySharesOpen: consent.withdrawnAt != nil && shares.contains { $0.senderID == user.id && $0.status(at: now) == .active },
            notice: notice, errors: errors), context: context)
    }

    @Sendable func consentPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in try await consentView(try context.parameters.require("id"), user: user, context: context) }
    }

    @Sendable func withdrawConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let id = try context.parameters.require("id")
            let (_, alerted) = try await consents.withdraw(id, note: fields["note"] ?? "", by: user)
            return try await consentView(id, user: user, notice: "Consent withdrawn. \(alerted == 1 ? "One sender was" : "\(alerted) senders were") told.",
                                         context: context)
        }
    }

    @Sendable func revokeUnderConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, _ in
            let id = try context.parameters.require("id")
            let withdrawn = try await consents.revokeShares(under: id, by: user)
            return try await consentView(id, user: user, notice: "\(withdrawn.count == 1 ? "One share" : "\(withdrawn.count) shares") withdrawn.", context: context)
        }
    }
}
