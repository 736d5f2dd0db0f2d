import Foundation
import Hummingbird
import SafehavenCore

/// The rules as pages: the channel advisor, printable fax cover sheets and envelope labels,
/// encrypted archives of a share, and archive passwords agreed with partners.
extension WebController {
    func addRulesRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/rules", use: advisorPage)
        group.post("/rules", use: advise)
        group.get("/rules/fax-cover-sheet") { _, context in
            try await staff(context) { user in
                let organisation = try await runtime.directory.organisation(of: user)
                return try render(FaxCoverPage(fromName: user.name, fromOrganisation: organisation?.name ?? "",
                                               fromSwitchboard: organisation?.switchboard ?? ""), context: context)
            }
        }
        group.post("/rules/fax-cover-sheet", use: faxCover)
        group.get("/rules/envelope-labels") { _, context in
            try await staff(context) { user in
                let organisation = try await runtime.directory.organisation(of: user)
                return try render(EnvelopePage(returnAddress: [organisation?.name ?? "", organisation?.address ?? ""]
                    .filter { !$0.isEmpty && $0 != "not set" }.joined(separator: "\n")), context: context)
            }
        }
        group.post("/rules/envelope-labels", use: envelope)
        group.get("/shares/:id/export", use: exportPage)
        group.post("/shares/:id/export", use: export)
        group.get("/exports/:id") { _, context in
            try await staff(context) { user in
                ExportController.stream(try await runtime.exports.download(try context.parameters.require("id"), by: user))
            }
        }
        group.get("/archive-passwords") { _, context in try await staff(context) { try await partnerPasswords($0, context: context) } }
        group.post("/archive-passwords", use: createPartnerPassword)
        group.post("/archive-passwords/:id/reveal", use: revealPartnerPassword)
        group.post("/archive-passwords/:id/rotate", use: rotatePartnerPassword)
    }

    // MARK: the advisor

    func advisorForm(_ fields: [String: String], user: User) async throws -> AdvisorPage {
        let marking = fields["marking"] ?? Marking.officialSensitive.rawValue
        let urgency = fields["urgency"] ?? "routine"
        let account = fields["hasAccount"] ?? "yes"
        return AdvisorPage(
            profile: runtime.policy.profileInUse, to: fields["to"] ?? "", people: fields["people"] ?? "1",
            markings: [Marking.official, .officialSensitive].map { Choice(value: $0.rawValue, label: $0.rawValue, checked: marking == $0.rawValue) },
            urgencies: [Choice(value: "routine", label: "Routine", checked: urgency != "urgent"),
                        Choice(value: "urgent", label: "Urgent: it must arrive today", checked: urgency == "urgent")],
            hasAccount: [Choice(value: "yes", label: "Yes", checked: account != "no"), Choice(value: "no", label: "No, or I do not know", checked: account == "no")])
    }

    @Sendable func advisorPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in try render(try await advisorForm([:], user: user), context: context) }
    }

    @Sendable func advise(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            var page = try await advisorForm(fields, user: user)
            guard let people = Int(page.people.trimmingCharacters(in: .whitespaces)), people >= 1 else {
                page.errors = [.init(field: "people", message: "Enter how many people the information is about, as a number such as 1 or 250")]
                return try render(page, context: context)
            }
            do {
                let advice = try await runtime.policy.advise(AdviceRequest(
                    marking: fields["marking"] ?? Marking.officialSensitive.rawValue, people: people,
                    urgency: fields["urgency"] == "urgent" ? .urgent : .routine, from: user.email, to: page.to,
                    recipientHasAccount: fields["hasAccount"] != "no"), profile: nil)
                page.route = advice.route.verdict
                page.routeWarnings = advice.route.warnings
                page.scale = advice.scale
                page.channels = advice.channels.map {
                    .init(title: $0.title, rank: $0.rank.map { "\($0)" } ?? "", why: $0.why, suitable: $0.suitable,
                          steps: $0.checklist.steps, mustNot: $0.checklist.mustNot, artefacts: $0.checklist.artefacts)
                }
                page.never = advice.never
            } catch {
                let e = try Self.fieldError(error, default: "to")
                page.errors = [.init(field: e.field == "from" ? "to" : (["to", "people", "marking"].contains(e.field) ? e.field : "to"), message: e.message)]
                return try render(page, context: context)
            }
            return try render(page, context: context)
        }
    }

    // MARK: printable artefacts

    @Sendable func faxCover(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { _, fields in
            var page = FaxCoverPage(toName: fields["toName"] ?? "", toOrganisation: fields["toOrganisation"] ?? "", toFax: fields["toFax"] ?? "",
                                    fromName: fields["fromName"] ?? "", fromOrganisation: fields["fromOrganisation"] ?? "",
                                    fromSwitchboard: fields["fromSwitchboard"] ?? "", pages: fields["pages"] ?? "")
            do {
                let sheet = try FaxCover(toName: page.toName, toOrganisation: page.toOrganisation, toFax: page.toFax, fromName: page.fromName,
                                         fromOrganisation: page.fromOrganisation, fromSwitchboard: page.fromSwitchboard,
                                         pages: Int(page.pages) ?? 0, date: WebFormat.day(runtime.deps.clock.now())).sheet()
                page.marking = sheet.marking
                page.rows = sheet.rows.map { .init(label: $0.label, value: $0.value) }
            } catch {
                page.errors = [try Self.fieldError(error, default: "toName")].map { .init(field: Self.camel($0.field), message: $0.message) }
                return try render(page, context: context)
            }
            return try render(page, context: context)
        }
    }

    @Sendable func envelope(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { _, fields in
            var page = EnvelopePage(toName: fields["toName"] ?? "", toJobTitle: fields["toJobTitle"] ?? "", toAddress: fields["toAddress"] ?? "",
                                    returnAddress: fields["returnAddress"] ?? "", signedFor: fields["signedFor"] == "yes")
            do {
                let sheet = try EnvelopeLabels(toName: page.toName, toJobTitle: page.toJobTitle.isEmpty ? nil : page.toJobTitle,
                                               toAddress: page.toAddress, returnAddress: page.returnAddress, signedFor: page.signedFor).labels()
                page.printed = true
                page.addressee = sheet.addressee
                page.address = sheet.address
                page.returnLines = sheet.returnAddress
                page.postage = sheet.postage
            } catch {
                page.errors = [try Self.fieldError(error, default: "toName")].map { .init(field: Self.camel($0.field), message: $0.message) }
                return try render(page, context: context)
            }
            return try render(page, context: context)
        }
    }

    /// `to_name` → `toName`: the service names fields as the API does, the pages as the forms do.
    static func camel(_ field: String) -> String {
        let parts = field.split(separator: "_")
        return (parts.first.map(String.init) ?? "") + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    // MARK: encrypted archives

    static func nameChoices(_ chosen: String) -> [Choice] {
        [Choice(value: "refuse", label: "Stop if a file name could identify someone", hint: "Safehaven checks the names first. This is the safe choice.",
                checked: chosen != "wrap" && chosen != "allow"),
         Choice(value: "wrap", label: "Hide the file names inside a second archive", hint: "Only a neutral name shows until the archive is opened.",
                checked: chosen == "wrap"),
         Choice(value: "allow", label: "Keep the file names as they are", hint: "Only if you have checked they identify nobody.",
                checked: chosen == "allow")]
    }

    @Sendable func exportPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staff(context) { user in
            let access = try await shares.access(try context.parameters.require("id"), by: user)
            guard access.isSender else { throw SafehavenError.notFound }
            return try render(ExportPage(id: access.share.id, subject: access.share.subject, names: Self.nameChoices("refuse")), context: context)
        }
    }

    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let id = try context.parameters.require("id")
            let access = try await shares.access(id, by: user)
            guard access.isSender else { throw SafehavenError.notFound }
            let names = ArchiveNames.Identifying(rawValue: fields["names"] ?? "") ?? .refuse
            do {
                let result = try await runtime.exports.export(id, by: user, names: names)
                return try render(ExportPage(id: id, subject: access.share.subject, names: [], password: result.password,
                                             download: "/exports/\(result.export.id)", size: WebFormat.size(result.export.size)), context: context)
            } catch {
                return try render(ExportPage(id: id, subject: access.share.subject, names: Self.nameChoices(names.rawValue),
                                             errors: [.init(field: "names", message: try Self.fieldError(error, default: "names").message)]),
                                  context: context)
            }
        }
    }

    // MARK: partner passwords

    func partnerPasswords(_ user: User, context: AppRequestContext, form: PartnerPasswordsPage? = nil,
                          revealed: (String, String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let listed = try await runtime.partnerPasswords.list(for: user)
        var page = form ?? PartnerPasswordsPage(rows: [])
        page.rows = listed.map { .init(id: $0.record.id, partner: $0.record.partner, purpose: $0.record.purpose,
                                       rotateBy: WebFormat.day($0.record.rotateBy), due: $0.rotationDue) }
        page.revealedPartner = revealed?.0
        page.revealed = revealed?.1
        return try render(page, context: context, status: status)
    }

    @Sendable func createPartnerPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, fields in
            let form = PartnerPasswordsPage(rows: [], partner: fields["partner"] ?? "", purpose: fields["purpose"] ?? "",
                                            rotateDays: fields["rotateDays"] ?? "90")
            do {
                guard let days = Int(form.rotateDays) else { throw SafehavenError.invalid("rotate_days", "Enter the number of days as a whole number, such as 90.") }
                let (record, password) = try await runtime.partnerPasswords.create(partner: form.partner, purpose: form.purpose, password: nil,
                                                                                  rotateDays: days, by: user)
                return try await partnerPasswords(user, context: context, revealed: (record.partner, password))
            } catch {
                var failed = form
                failed.errors = [try Self.fieldError(error, default: "partner")].map { .init(field: Self.camel($0.field), message: $0.message) }
                return try await partnerPasswords(user, context: context, form: failed)
            }
        }
    }

    @Sendable func revealPartnerPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, _ in
            let id = try context.parameters.require("id")
            let password = try await runtime.partnerPasswords.reveal(id, by: user)
            let partner = try await runtime.partnerPasswords.list(for: user).first { $0.record.id == id }?.record.partner ?? ""
            return try await partnerPasswords(user, context: context, revealed: (partner, password))
        }
    }

    @Sendable func rotatePartnerPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await staffPost(request, context) { user, _ in
            let (record, password) = try await runtime.partnerPasswords.rotate(try context.parameters.require("id"), by: user)
            return try await partnerPasswords(user, context: context, revealed: (record.partner, password))
        }
    }
}
