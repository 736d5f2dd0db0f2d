import Foundation
import Hummingbird
import SafehavenCore
import SafehavenStorage

/// Reading: the inbox, sent items, a share's page, its files, receipt and withdrawal.
extension WebController {
    func addShareRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("/inbox") { request, context in try await list(.inbox, request: request, context: context) }
        group.get("/sent") { request, context in try await list(.sent, request: request, context: context) }
        group.get("/shares/:id", use: share)
        group.get("/shares/:id/files/:fileId", use: download)
        group.get("/shares/:id/files/:fileId/view", use: viewFile)
        group.post("/shares/:id/receipt", use: confirmReceipt)
        group.get("/shares/:id/revoke", use: revokePage)
        group.post("/shares/:id/revoke", use: revoke)
    }

    func list(_ box: ShareListQuery.Box, request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let page = try await shares.list(box, for: user, limit: 25, cursor: request.uri.queryParameters["cursor"].map(String.init))
            let now = runtime.deps.clock.now()
            let rows = page.items.map { item in
                let status = WebFormat.status(item.share, unread: item.unread, now: now)
                return InboxPage.Row(id: item.share.id, subject: item.share.subject,
                                         party: box == .inbox ? WebFormat.person(item.sender) : item.recipients.joined(separator: ", "),
                                         sent: WebFormat.date(item.share.createdAt), status: status.text, statusClass: status.style)
            }
            let path = box == .inbox ? "/inbox" : "/sent"
            return try render(InboxPage(title: box == .inbox ? "Inbox" : "Sent", otherParty: box == .inbox ? "From" : "To",
                                            shares: rows, next: page.next.map { "\(path)?cursor=\($0.token)" }), context: context)
        }
    }

    @Sendable func share(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let detail = try await shares.open(try context.parameters.require("id"), by: user)
            let share = detail.share
            let now = runtime.deps.clock.now()
            let status = WebFormat.status(share, unread: nil, now: now)
            let active = share.status(at: now) == .active
            let viewOnly = share.viewOnly && !detail.viewerIsSender
            var timeline: [SharePage.Timeline] = []
            if detail.viewerIsSender {
                let report = try await shares.tracking(share.id, by: user)
                timeline = report.recipients.map { recipient, events in
                    .init(email: recipient.email, events: events.map { .init(what: WebFormat.describe($0.type), when: WebFormat.date($0.at)) },
                          notice: report.notices[recipient.email].map(WebFormat.notice))
                }
            }
            let thread = try await shares.conversation(share.id, by: user)
            let invitations = detail.viewerIsSender ? try await runtime.invitations.pending(share.id, by: user) : []
            let basis = detail.viewerIsSender ? try await AuthorisationService(runtime.deps).basis(of: share.id, for: user) : nil
            var consentWithdrawn = false
            for id in basis?.consentIDs ?? [] where try await ConsentService(runtime.deps).consent(id, for: user).withdrawnAt != nil { consentWithdrawn = true }
            let held = share.status(at: now) == .pendingAuthorisation
            var page = SharePage(
                id: share.id, subject: share.subject, marking: share.marking.rawValue, sender: WebFormat.person(detail.sender),
                sent: WebFormat.date(share.createdAt), expires: WebFormat.date(share.expiresAt), status: status.text,
                statusClass: status.style, purpose: share.purpose, handling: share.handling, message: detail.message,
                files: detail.files.map { .init(id: $0.id, shareID: share.id, name: $0.name, size: WebFormat.size($0.size),
                                                downloadable: active && !viewOnly, viewable: active && share.viewOnly) },
                viewOnly: viewOnly,
                canConfirm: active && detail.viewer != nil && share.requireReceipt && detail.viewer?.receiptAt == nil,
                receiptConfirmed: detail.viewer?.receiptAt.map(WebFormat.date),
                canReply: active && detail.viewer != nil, isSender: detail.viewerIsSender, recipients: timeline,
                canRevoke: detail.viewerIsSender && (active || held), canExport: detail.viewerIsSender && active,
                thread: thread.count > 1 ? thread.map { .init(id: $0.share.id, subject: $0.share.subject, from: WebFormat.person($0.sender),
                                                               sent: WebFormat.date($0.share.createdAt), current: $0.share.id == share.id) } : [],
                justSent: request.uri.queryParameters["sent"] == "1" && detail.viewerIsSender,
                invitations: invitations.map { .init(email: $0.email, shareID: share.id, expires: WebFormat.date($0.expiresAt),
                                                      usable: $0.usable(at: now)) })
            if let basis {
                page.basis = basis.basis.label
                page.justification = basis.justification.isEmpty ? nil : basis.justification
                page.held = held
                page.refusal = basis.authorisation == .refused ? (basis.refusalReason ?? "") + " (\(basis.decidedByName ?? "a manager"))" : nil
                page.authorisedBy = basis.authorisation == .approved ? basis.decidedByName : nil
                page.consentWithdrawn = consentWithdrawn && active
            }
            return try render(page, context: context)
        }
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let download = try await shares.download(try context.parameters.require("id"), fileID: try context.parameters.require("fileId"), by: user)
            return ShareController.stream(download, logger: context.logger)
        }
    }

    /// Shows a file in the page: how view-only shares are read. The watermark names the viewer,
    /// their organisation and the time.
    @Sendable func viewFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let id = try context.parameters.require("id")
            let (file, viewable) = try await shares.view(id, fileID: try context.parameters.require("fileId"), by: user)
            guard let share = try await runtime.store.read({ try await $0.share(id: id) }) else { throw SafehavenError.notFound }
            let organisation = try await runtime.directory.organisation(of: user)
            let mark = "Shown to \(user.name), \(organisation?.name ?? "") on \(WebFormat.date(runtime.deps.clock.now())). Do not copy or forward."
            var page = ViewFilePage(shareID: id, name: file.name, marking: share.marking.rawValue, watermark: mark)
            switch viewable {
            case .text(let text): page.text = text
            case .image(let bytes, let type): page.picture = "data:\(type);base64,\(Data(bytes).base64EncodedString())"
            case .notViewable(let reason): page.reason = reason
            }
            return try render(page, context: context, headers: [.cacheControl: "no-store"])
        }
    }

    @Sendable func revokePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await member(context) { user in
            let access = try await shares.access(try context.parameters.require("id"), by: user)
            guard access.isSender else { throw SafehavenError.notFound }
            return try render(RevokePage(id: access.share.id, subject: access.share.subject), context: context)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, _ in
            let summary = try await shares.revoke(try context.parameters.require("id"), by: user)
            return try render(RevokedPage(subject: summary.share.subject), context: context)
        }
    }

    @Sendable func confirmReceipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await post(request, context) { user, _ in
            let id = try context.parameters.require("id")
            _ = try await shares.confirmReceipt(id, by: user)
            return redirect("/shares/\(id)")
        }
    }
}
