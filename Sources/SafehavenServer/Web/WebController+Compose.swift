import Foundation
import Hummingbird
import Metrics
import SafehavenCore
import SafehavenStorage

/// Sending as a short journey: who to, about the share, check your answers and add files, send.
/// Replies are one page: a message and files back to the sender.
extension WebController {
    func addComposeRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/compose") { _, context in
            try await member(context) { user in
                if user.has(.external) {
                    throw SafehavenError.forbidden("invited_reply_only", "People invited from outside Safehaven can reply to what was sent to them, but not send new shares.")
                }
                return try render(ComposeRecipientsPage(recipients: "", hidden: []), context: context)
            }
        }
        group.post("/compose/recipients", use: composeRecipients)
        group.post("/compose/details", use: composeDetails)
        group.post("/compose/change", use: composeChange)
        group.post("/compose/send", use: composeSend)
        group.get("/shares/:id/reply", use: replyPage)
        group.post("/shares/:id/reply", use: sendReply)
        addUploadRoutes(to: group)
    }

    // MARK: the steps

    func recipientsStep(_ state: ComposeState, errors: [FieldError] = [], context: AppRequestContext) throws -> Response {
        try render(ComposeRecipientsPage(recipients: state["recipients"], hidden: state.hidden(except: ["recipients"]), errors: errors),
                   context: context,)
    }

    func detailsStep(_ state: ComposeState, review: [ShareService.RecipientReview], errors: [FieldError] = [],
                     context: AppRequestContext) throws -> Response {
        let marking = state["marking"].isEmpty ? Marking.officialSensitive.rawValue : state["marking"]
        let page = ComposeDetailsPage(
            review: review.map { RecipientRow(email: $0.email, person: [$0.person.name, $0.person.jobTitle, $0.person.organisation ?? ""]
                                                .filter { !$0.isEmpty }.joined(separator: ", "),
                                              verdict: $0.route.verdict, secure: $0.route.secure, warnings: $0.route.warnings,
                                              firstTime: $0.firstTime, invite: $0.invite) },
            needsConfirmation: review.contains { $0.needsConfirmation }, confirmed: state.confirmed,
            subject: state["subject"],
            markings: [
                Choice(value: Marking.official.rawValue, label: "OFFICIAL", hint: "Routine information whose loss would cause little harm.",
                       checked: marking == Marking.official.rawValue),
                Choice(value: Marking.officialSensitive.rawValue, label: "OFFICIAL-SENSITIVE",
                       hint: "Personal information about someone's health, care, safety or circumstances. Most shares about a person are this.",
                       checked: marking != Marking.official.rawValue),
            ],
            purpose: state["purpose"],
            bases: Self.basisChoices.map { Choice(value: $0.0.rawValue, label: $0.0.label, hint: $0.1, checked: state["basis"] == $0.0.rawValue) },
            caseReferences: state["caseReferences"], justification: state["justification"],
            handling: state["handling"], message: state["message"],
            expiries: ComposeState.expiryChoices.map { Choice(value: String($0.0), label: $0.1, checked: $0.0 == state.expiryDays) },
            viewOnly: state["viewOnly"] == "yes", requireReceipt: state["requireReceipt"] == "yes",
            hidden: state.hidden(except: ["subject", "marking", "purpose", "basis", "caseReferences", "justification", "handling", "message", "expiry",
                                          "viewOnly", "requireReceipt", "confirmRecipients"]),
            errors: errors)
        return try render(page, context: context,)
    }

    static let basisChoices: [(LawfulBasis, String)] = [
        (.consent, "The person (or someone who may decide for them) agreed to this sharing. Safehaven checks a recorded consent covers these recipients and this purpose."),
        (.safeguarding, "To protect a child or an adult at risk from harm. Needs your reasons and a manager's authorisation before it is sent."),
        (.publicInterest, "To prevent or detect crime or serious harm, where that outweighs the duty of confidence. Needs your reasons and a manager's authorisation."),
        (.legalDuty, "A law or a court order requires it. Needs your reasons and a manager's authorisation."),
        (.vitalInterests, "Someone's life is at risk and they cannot consent. Needs your reasons and a manager's authorisation."),
        (.noPersonalData, "Nothing in the share is about an identifiable person, such as a blank form or a policy."),
    ]

    func checkStep(_ state: ComposeState, review: [ShareService.RecipientReview], errors: [FieldError] = [],
                   context: AppRequestContext) throws -> Response {
        let now = runtime.deps.clock.now()
        let rows: [ComposeCheckPage.Row] = [
            .init(key: "To", value: review.map { "\($0.person.name) (\($0.email))" }.joined(separator: "\n"), step: "recipients"),
            .init(key: "Subject", value: state["subject"], step: "details"),
            .init(key: "Marking", value: state["marking"].isEmpty ? Marking.officialSensitive.rawValue : state["marking"], step: "details"),
            .init(key: "Why it is shared", value: state["purpose"], step: "details"),
            .init(key: "Lawful basis", value: (LawfulBasis(rawValue: state["basis"])?.label ?? "Not given") +
                    (state.caseReferences.isEmpty ? "" : "\nAbout: " + state.caseReferences.joined(separator: ", ")) +
                    (state["justification"].isEmpty ? "" : "\nWhy: " + state["justification"]), step: "details"),
            .init(key: "How to handle it", value: state["handling"].isEmpty ? "No extra instructions" : state["handling"], step: "details"),
            .init(key: "Message", value: state["message"].isEmpty ? "No message" : state["message"], step: "details"),
            .init(key: "Available until", value: WebFormat.date(now.addingTimeInterval(TimeInterval(state.expiryDays) * 86_400)), step: "details"),
            .init(key: "Files", value: state["viewOnly"] == "yes" ? "View only: recipients can read them here but not download them" : "Recipients can download them", step: "details"),
            .init(key: "Confirmation of receipt", value: state["requireReceipt"] == "yes" ? "Asked for" : "Not asked for", step: "details"),
        ]
        return try render(ComposeCheckPage(rows: rows, maxSize: WebFormat.size(runtime.deps.limits.maxShareBytes),
                                           maxFiles: runtime.deps.limits.maxFilesPerShare,
                                           hidden: state.hidden(except: []), errors: errors),
                          context: context,)
    }

    /// Turns a refusal from the service into an error beside the field it concerns; anything
    /// else is not a form error and becomes an error page.
    static func fieldError(_ error: Error, default field: String = "subject") throws -> FieldError {
        guard let e = error as? SafehavenError, e.kind == .unprocessable || e.kind == .badRequest else { throw error }
        return FieldError(field: ComposeState.field(for: e) ?? field, message: e.message)
    }

    @Sendable func composeRecipients(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, fields in
            let state = ComposeState(fields)
            do {
                let review = try await shares.review(state.recipients, sender: user)
                return try detailsStep(state, review: review, context: context)
            } catch {
                return try recipientsStep(state, errors: [try Self.fieldError(error, default: "recipients")], context: context)
            }
        }
    }

    @Sendable func composeDetails(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, fields in
            let state = ComposeState(fields)
            let review: [ShareService.RecipientReview]
            do { review = try await shares.review(state.recipients, sender: user) } catch {
                return try recipientsStep(state, errors: [try Self.fieldError(error, default: "recipients")], context: context)
            }
            var errors: [FieldError] = []
            if state.lacksConfirmation(review) {
                errors.append(.init(field: "confirmRecipients", message: "Confirm you have checked the recipients' addresses"))
            }
            if state["purpose"].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(.init(field: "purpose", message: "Say why you are sharing this information"))
            }
            if errors.isEmpty {
                do { try await shares.check(state.draft(now: runtime.deps.clock.now()), sender: user) } catch {
                    errors.append(try Self.fieldError(error))
                }
            }
            if !errors.isEmpty { return try detailsStep(state, review: review, errors: errors, context: context) }
            return try checkStep(state, review: review, context: context)
        }
    }

    /// "Change" on the check page: back to a step with every answer kept.
    @Sendable func composeChange(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, fields in
            let state = ComposeState(fields)
            guard fields["goto"] == "details", let review = try? await shares.review(state.recipients, sender: user) else {
                return try recipientsStep(state, context: context)
            }
            return try detailsStep(state, review: review, context: context)
        }
    }

    /// The files stream in sealed; the share is committed only when every check has passed.
    @Sendable func composeSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        var state = ComposeState([:])
        var review: [ShareService.RecipientReview] = []
        do {
            let detail = try await receive(request, context: context, sender: user, replyTo: nil) { fields in
                state = ComposeState(fields)
                review = try await shares.review(state.recipients, sender: user)
                if state.lacksConfirmation(review) {
                    throw SafehavenError.invalid("confirmRecipients", "Confirm you have checked the recipients' addresses.")
                }
                return state.draft(now: runtime.deps.clock.now())
            }
            return redirect("/shares/\(detail.share.id)?sent=1")
        } catch {
            guard let e = error as? SafehavenError, e.kind == .unprocessable || e.kind == .badRequest || e.kind == .tooLarge, !state.fields.isEmpty else {
                return try errorPage(error, context: context)
            }
            if review.isEmpty { return try recipientsStep(state, errors: [try Self.fieldError(e, default: "recipients")], context: context) }
            return try checkStep(state, review: review, errors: [FieldError(field: "files", message: e.message)], context: context)
        }
    }

    // MARK: replies

    @Sendable func replyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let access = try await shares.access(try context.parameters.require("id"), by: user)
            _ = try access.requireRecipient("not_a_recipient", "Only an addressee can reply to a share.")
            let sender = try await runtime.store.read { try await $0.user(id: access.share.senderID) }
            return try render(ReplyPage(id: access.share.id, subject: access.share.subject, to: sender?.name ?? "the sender",
                                        marking: access.share.marking.rawValue), context: context)
        }
    }

    @Sendable func sendReply(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = signedIn(context) else { return gate(context) }
        let id = try context.parameters.require("id")
        var message = ""
        do {
            let detail = try await receive(request, context: context, sender: user, replyTo: id) { fields in
                message = fields["message"] ?? ""
                return ShareDraft(message: message)
            }
            return redirect("/shares/\(detail.share.id)?sent=1")
        } catch {
            guard let e = error as? SafehavenError, e.kind == .unprocessable || e.kind == .badRequest || e.kind == .tooLarge,
                  let access = try? await shares.access(id, by: user) else { return try errorPage(error, context: context) }
            return try render(ReplyPage(id: id, subject: access.share.subject, to: "the sender", marking: access.share.marking.rawValue,
                                        message: message, errors: [FieldError(field: "message", message: e.message)]),
                              context: context)
        }
    }

    /// Streams a browser's multipart form into a share: the text fields (token first) become a
    /// draft through `draft`, checked before any file is stored; on any failure nothing is kept.
    func receive(_ request: Request, context: AppRequestContext, sender: User, replyTo: String?,
                 draft: @escaping ([String: String]) async throws -> ShareDraft) async throws -> ShareService.Detail {
        let boundary = try MultipartStream.boundary(fromContentType: request.headers[.contentType])
        let limits = runtime.deps.limits
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limits.maxShareBytes + 1024 * 1024 {
            throw SafehavenError(.tooLarge, code: "too_large", message: "A share can carry at most \(WebFormat.size(limits.maxShareBytes)) in all.")
        }
        // The page's script uploads files resumably into a draft first, then posts the form with it.
        let draftID = request.uri.queryParameters["draft"].map(String.init)
        let upload = try await shares.beginUpload(sender: sender, replyTo: replyTo, draft: draftID)
        context.continueIfExpected(request)
        let service = shares
        let sink = WebUploadSink(upload: upload) { fields in
            try checkForm(fields, context: context)
            try await service.accept(try await draft(fields), into: upload)
        }
        do {
            try await MultipartStream(boundary: boundary).run(body: request.body, sink: sink)
            try await sink.finish()
            let detail = try await shares.commit(upload)
            Counter(label: "safehaven_shares_created_total").increment()
            return detail
        } catch {
            sink.abandon()
            throw error
        }
    }
}
