@preconcurrency import Crypto
import Foundation
import SafehavenCrypto

/// Sending: a draft is checked as soon as it arrives, files stream in, and one transaction commits.
extension ShareService {
    /// The checked form of a draft.
    struct Plan: Sendable {
        var subject: String
        var message: String
        var recipients: [User]
        /// Addresses with no account: each gets one (pending) and an invitation when the share commits.
        var invitees: [String] = []
        var marking: Marking.Parsed
        var purpose: String
        var handling: String
        var expiresAt: Date
        var viewOnly: Bool
        var requireReceipt: Bool
        var checks: PolicyChecks
        var basis: BasisPlan
    }

    /// Starts receiving a new share, or a reply when `replyTo` is set (the replier must be an
    /// addressee of that share and it must still be active). From a draft, the share takes the
    /// draft's id and key and its uploaded files, which must all be complete.
    public func beginUpload(sender: User, replyTo parentID: String? = nil, draft draftID: String? = nil) async throws -> ShareUpload {
        if sender.has(.external) && parentID == nil {
            throw SafehavenError.forbidden("invited_reply_only", "People invited from outside Safehaven can reply to what was sent to them, but not send new shares.")
        }
        var parent: Share?
        if let parentID {
            let access = try await access(parentID, by: sender)
            _ = try access.requireRecipient("not_a_recipient", "Only an addressee can reply to a share; the sender can send a new one.")
            try requireActive(access.share)
            parent = access.share
        }
        guard let draftID else { return ShareUpload(shareID: deps.ids.next(), sender: sender, parent: parent, deps: deps) }
        let (draft, uploads) = try await UploadService(deps).draft(draftID, by: sender)
        let unfinished = uploads.filter { !$0.isComplete }
        guard unfinished.isEmpty else {
            throw SafehavenError.conflict("uploads_incomplete", "\(unfinished.count == 1 ? "One file is" : "\(unfinished.count) files are") still uploading (" +
                                          unfinished.map(\.name).joined(separator: ", ") + "). Wait for them to finish, or remove them.")
        }
        // Each file is among the blobs already, unless a crash came between recording it complete and moving it.
        for upload in uploads { try deps.blobs.promoteUpload(id: upload.blobID) }
        return ShareUpload(shareID: draft.id, sender: sender, parent: parent, deps: deps, dataKey: try deps.kek.unwrap(draft.wrappedKey),
                           draftID: draft.id, drafted: uploads)
    }

    /// Checks the sender's draft and resolves its recipients. Call as soon as the draft arrives so a
    /// bad request fails before gigabytes are uploaded.
    public func accept(_ draft: ShareDraft, into upload: ShareUpload) async throws {
        let now = deps.clock.now()
        let limits = deps.limits
        let parent = upload.parent
        var subject = try Text.optional(draft.subject, field: "subject", max: 200)
        if subject.isEmpty, let parent { subject = parent.subject.hasPrefix("Re: ") ? parent.subject : "Re: \(parent.subject)" }
        guard !subject.isEmpty else { throw SafehavenError.invalid("subject", "A subject is required.") }
        guard !subject.contains("\n") else { throw SafehavenError.invalid("subject", "The subject must be one line.") }
        let senderOrg = upload.sender.organisationID
        let patterns = try await deps.store.read { try await $0.identifierPatterns(organisationID: senderOrg) }
        let scanner = PersonalDataScanner(names: draft.about ?? [], today: now, patterns: patterns)
        let found = scanner.scan(subject)
        if !found.isEmpty {
            throw SafehavenError(.unprocessable, code: "personal_data_in_subject",
                                 message: "Subjects travel in notification emails, so they must not identify anyone. Found " +
                                    found.map(\.description).joined(separator: "; ") + ".")
        }
        let message = draft.message ?? ""
        guard message.utf8.count <= limits.maxMessageBytes else {
            throw SafehavenError.invalid("message", "The message can be at most \(limits.maxMessageBytes) bytes; attach longer text as a file.")
        }
        let marking: Marking.Parsed
        if let raw = draft.marking, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            marking = try Marking.parse(raw)
        } else {
            marking = Marking.Parsed(marking: parent?.marking ?? .officialSensitive, legacy: nil)
        }
        var purpose = try Text.optional(draft.purpose, field: "purpose", max: 1000)
        if purpose.isEmpty, let parent { purpose = parent.purpose }
        guard !purpose.isEmpty else {
            throw SafehavenError.invalid("purpose", "Say why this information is being shared: the purpose is recorded with the disclosure.")
        }
        var handling = try Text.optional(draft.handling, field: "handling", max: 2000)
        if handling.isEmpty, let parent { handling = parent.handling }
        let expiresAt: Date
        if let raw = draft.expiresAt, !raw.isEmpty {
            guard let parsed = ISODate.parse(raw) else {
                throw SafehavenError.invalid("expires_at", "expiresAt must be an ISO 8601 date and time, such as 2026-12-01T17:00:00Z.")
            }
            guard parsed > now.addingTimeInterval(60) else { throw SafehavenError.invalid("expires_at", "The expiry must be in the future.") }
            guard parsed <= now.addingTimeInterval(TimeInterval(limits.maxExpiryDays) * 86_400) else {
                throw SafehavenError.invalid("expires_at", "A share can last at most \(limits.maxExpiryDays) days.")
            }
            expiresAt = parsed
        } else {
            expiresAt = now.addingTimeInterval(TimeInterval(limits.defaultExpiryDays) * 86_400)
        }
        let (recipients, invitees) = try await resolveRecipients(draft.recipients, sender: upload.sender, parent: parent)
        let engine = RouteEngine(policy: try await PolicyService(deps).policy())
        let routes = try (recipients.map(\.email) + invitees).map { email in
            PolicyChecks.Route(to: email, verdict: try engine.evaluate(from: upload.sender.email, to: email))
        }
        // Nobody is invited to an address that imitates another.
        let suspicious = routes.filter { route in invitees.contains(route.to) && (route.verdict.rule == "look-alike" || !route.verdict.warnings.isEmpty) }
        if !suspicious.isEmpty {
            throw SafehavenError(.unprocessable, code: "lookalike_invitation",
                                 message: "Safehaven will not invite \(suspicious.map(\.to).joined(separator: ", ")): " +
                                    (suspicious.first?.verdict.warnings.first ?? "the address imitates another.") + " Check the address with the person.")
        }
        var checks = PolicyChecks(profile: deps.policy.name, routes: routes,
                                  identifiersInMessage: PersonalDataScanner.countIdentifiers(message), largeNumbers: false,
                                  advice: "")
        checks.markingWarning = marking.warning
        let basis = try await planBasis(draft, sender: upload.sender, recipients: recipients, invitees: invitees, purpose: purpose,
                                        marking: marking.marking, message: message, parent: parent)
        upload.plan = Plan(subject: subject, message: message, recipients: recipients, invitees: invitees, marking: marking, purpose: purpose,
                           handling: handling, expiresAt: expiresAt, viewOnly: draft.viewOnly ?? false,
                           requireReceipt: draft.requireReceipt ?? false, checks: checks, basis: basis)
    }

    func resolveRecipients(_ raw: [String]?, sender: User, parent: Share?) async throws -> ([User], [String]) {
        if let parent {
            // A reply goes back to whoever sent the share it answers.
            guard let original = try await deps.store.read({ try await $0.user(id: parent.senderID) }), !original.disabled else {
                throw SafehavenError.invalid("recipients", "The sender of that share no longer has an account.")
            }
            return ([original], [])
        }
        guard let raw, !raw.isEmpty else { throw SafehavenError.invalid("recipients", "Add at least one recipient.") }
        var emails: [String] = []
        for item in raw {
            let email = try EmailAddress.normalise(item, field: "recipients")
            if !emails.contains(email) { emails.append(email) }
        }
        guard emails.count <= deps.limits.maxRecipients else {
            throw SafehavenError.invalid("recipients", "A share can have at most \(deps.limits.maxRecipients) recipients.")
        }
        guard !emails.contains(sender.email) else { throw SafehavenError.invalid("recipients", "You cannot send a share to yourself.") }
        let wanted = emails
        let accounts = try await deps.store.read { try await $0.users(emails: wanted) }
        let byEmail = Dictionary(accounts.map { ($0.email, $0) }, uniquingKeysWith: { first, _ in first })
        let disabled = emails.filter { byEmail[$0]?.disabled == true }
        guard disabled.isEmpty else {
            throw SafehavenError(.unprocessable, code: "unknown_recipient", message: "These accounts are closed: \(disabled.joined(separator: ", ")).")
        }
        let unknown = emails.filter { byEmail[$0] == nil }
        if !unknown.isEmpty {
            let orgID = sender.organisationID
            let policy = try await deps.store.read { try await $0.externalPolicy(organisationID: orgID) } ?? ExternalPolicy()
            let refused = unknown.filter { !policy.allows($0) }
            guard refused.isEmpty else {
                throw SafehavenError(.unprocessable, code: "unknown_recipient",
                                     message: "No Safehaven account for \(refused.joined(separator: ", ")), and your organisation " +
                                        (policy.rule == .none ? "does not allow inviting people without one." : "allows inviting only people at \(policy.domains.joined(separator: ", "))."))
            }
        }
        return (emails.compactMap { byEmail[$0] }, unknown)
    }

    /// Commits the share: share, recipients, files, tracking, register and audit in one
    /// transaction. Returns the share as its sender sees it, built from what was just sealed.
    public func commit(_ upload: ShareUpload) async throws -> Detail {
        guard let plan = upload.plan else {
            throw SafehavenError.invalid("share", "The request needs a part named 'share' holding the share's details as JSON.")
        }
        let now = deps.clock.now()
        let sealedMessage = try StreamSealer.seal(Array(plan.message.utf8), dataKey: upload.dataKey,
                                                 binding: .message(share: upload.shareID), random: deps.random)
        let parent = upload.parent
        var checks = plan.checks
        let inFiles = upload.identifiersInFiles
        checks.identifiersInFiles = inFiles
        let unscanned = upload.filesNotScanned
        if unscanned > 0 { checks.filesNotScanned = unscanned }
        let identifiers = checks.identifiersInMessage + inFiles + upload.files.reduce(0) { $0 + PersonalDataScanner.countIdentifiers($1.name) }
        if plan.basis.basis == .noPersonalData && parent == nil && identifiers > 0 {
            upload.discard()
            throw SafehavenError(.unprocessable, code: "invalid_basis",
                                 message: "The files hold \(identifiers) identifiers of people (such as NHS or National Insurance numbers), so the share is about people: choose the lawful basis for sharing about them.")
        }
        checks.largeNumbers = identifiers >= deps.limits.largeNumbers
        checks.advice = checks.largeNumbers
            ? "This share identifies large numbers of people (\(identifiers) identifiers such as NHS, CHI, National Insurance or pupil numbers): it must travel by a secure route such as Safehaven, never by ordinary email, post or archive."
            : "Safehaven is a secure route for this share."
        var draftShare = Share(
            id: upload.shareID, senderID: upload.sender.id, senderOrganisationID: upload.sender.organisationID,
            subject: plan.subject, messageSealed: Data(sealedMessage).base64EncodedString(),
            wrappedKey: try deps.kek.wrap(upload.dataKey), marking: plan.marking.marking, legacyMarking: plan.marking.legacy,
            purpose: plan.purpose, handling: plan.handling, viewOnly: plan.viewOnly, requireReceipt: plan.requireReceipt,
            createdAt: now, expiresAt: plan.expiresAt, parentID: parent?.id, threadID: parent?.threadID ?? upload.shareID)
        draftShare.policyNotes = checks.json
        var reasons = plan.basis.reasons
        if checks.largeNumbers && parent == nil {
            reasons.append("Holds \(identifiers) identifiers (bulk data)")
            if plan.basis.reasons.isEmpty {
                do { try await requireAuthoriser(for: upload.sender) } catch { upload.discard(); throw error }
            }
        }
        draftShare.held = !reasons.isEmpty
        let share = draftShare
        let sender = upload.sender
        let basis = ShareBasis(id: share.id, organisationID: sender.organisationID, team: sender.department, senderID: sender.id,
                               basis: plan.basis.basis, justification: plan.basis.justification, consentIDs: plan.basis.consents.map(\.id),
                               subjectIDs: plan.basis.subjects.map(\.id), recipients: plan.recipients.map(\.email) + plan.invitees,
                               reasons: reasons, authorisation: reasons.isEmpty ? .notNeeded : .pending, createdAt: now)
        let basisRow = try RecordVault(deps).seal(basis, at: now)
        let caseReferences = plan.basis.subjects.map(\.caseReference)
        let files = upload.files
        let ids = deps.ids
        let dependencies = self.deps
        let delivered: ([Recipient], [Organisation])
        do {
            let draftID = upload.draftID
            let drafted = Set(upload.drafted.map(\.id))
            delivered = try await deps.store.write { tx in
                if let draftID {
                    // The draft is used up by this share, exactly as it was checked.
                    let now = try await tx.uploads(draftID: draftID)
                    guard Set(now.map(\.id)) == drafted, now.allSatisfy(\.isComplete), try await tx.deleteDraft(id: draftID) else {
                        throw SafehavenError.conflict("draft_changed", "The files of this share changed while it was being sent; check them and send again.")
                    }
                }
                try await tx.insert(share)
                for file in files { try await tx.insert(file) }
                try await tx.insert(basisRow)
                for subject in basis.subjectIDs { try await tx.insert(RecordLink(recordID: subject, kind: .shareSubject, targetID: share.id, at: now)) }
                for consent in basis.consentIDs { try await tx.insert(RecordLink(recordID: consent, kind: .shareConsent, targetID: share.id, at: now)) }
                if unscanned > 0 {
                    try await tx.appendAudit(AuditEntry(.filesNotScanned, actor: sender.id, organisation: sender.organisationID, target: share.id,
                                                        details: ["files": String(unscanned), "reason": "scanner unavailable"]), at: now)
                }
                let details = ["files": String(files.count), "bytes": String(files.reduce(0) { $0 + $1.size }), "marking": share.marking.rawValue,
                               "view_only": String(share.viewOnly), "basis": basis.basis.rawValue]
                if share.held {
                    // Nothing goes anywhere until a manager authorises it; they are asked now.
                    for manager in try await self.authorisers(for: sender, in: tx) {
                        try await tx.enqueue(Notifications.authorisationRequested(share, to: manager, sender: sender, ids: ids, at: now))
                    }
                    try await tx.appendAudit(AuditEntry(.shareHeld, actor: sender.id, organisation: sender.organisationID, target: share.id,
                                                        details: details.merging(["recipients": String(basis.recipients.count)]) { a, _ in a }), at: now)
                    let organisation = try await tx.organisation(id: sender.organisationID)
                    return ([], organisation.map { [$0] } ?? [])
                }
                let invited = plan.invitees.map { User.invited(email: $0, id: ids.next(), at: now) }
                let result = try await Self.deliver(share, to: plan.recipients, invited: invited, sender: sender, basis: basis,
                                                    caseReferences: caseReferences, authorisedBy: nil, deps: dependencies, at: now, in: tx)
                try await tx.appendAudit(AuditEntry(.shareCreated, actor: sender.id, organisation: sender.organisationID, target: share.id,
                                                    details: details.merging(["recipients": String(result.0.count)]) { a, _ in a }), at: now)
                if let parent {
                    let mine = try await tx.recipients(shareID: parent.id).first { $0.userID == sender.id }
                    try await tx.insert(TrackingEvent(id: ids.next(), shareID: parent.id, recipientID: mine?.id, type: .replied, at: now))
                    try await tx.appendAudit(AuditEntry(.shareReplied, actor: sender.id, organisation: sender.organisationID,
                                                        target: parent.id, details: ["reply": share.id]), at: now)
                }
                return result
            }
        } catch {
            upload.discard()
            throw error
        }
        let (recipients, organisations) = delivered
        upload.settled()
        return Detail(share: share, status: share.status(at: now),
                      sender: PersonSummary(sender, organisation: organisations.first { $0.id == sender.organisationID }), recipients: recipients,
                      files: files, message: plan.message, viewerIsSender: true, viewer: nil)
    }

    /// Addresses a share to its recipients: accounts for people invited from outside, addressee
    /// rows, one notice each (queued with the share: both commit, or neither does), tracking, and
    /// one register entry per recipient naming who actually received it, under the share's basis.
    static func deliver(_ share: Share, to accounts: [User], invited: [User], sender: User, basis: ShareBasis?, caseReferences: [String],
                        authorisedBy: String?, deps: Dependencies, at now: Date, in tx: any StoreWriter) async throws -> ([Recipient], [Organisation]) {
        let ids = deps.ids
        for person in invited {
            guard try await tx.user(email: person.email) == nil else {
                throw SafehavenError.conflict("recipient_changed", "Someone with \(person.email) joined Safehaven while you were sending; send again.")
            }
            try await tx.insert(person)
        }
        let people = accounts + invited
        let recipients = people.map { Recipient(id: ids.next(), shareID: share.id, userID: $0.id, email: $0.email) }
        let organisations = try await tx.organisations(ids: Array(Set(people.map(\.organisationID) + [sender.organisationID])))
        let named = Dictionary(organisations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (recipient, person) in zip(recipients, people) {
            try await tx.insert(recipient)
            if person.awaitingInvitation {
                try await invite(person, to: share, recipient: recipient, sender: sender,
                                 senderOrganisation: named[sender.organisationID]?.name, deps: deps, at: now, in: tx)
            } else {
                try await tx.enqueue(Notifications.announce(share, to: recipient, sender: sender, senderOrganisation: named[sender.organisationID]?.name,
                                                            isReply: share.parentID != nil, ids: ids, at: now))
            }
            try await tx.insert(TrackingEvent(id: ids.next(), shareID: share.id, recipientID: recipient.id, type: .announced, at: now))
            let summary = person.awaitingInvitation
                ? PersonSummary(email: person.email, name: "Not given yet (invited by email)", jobTitle: "", phone: "",
                                organisation: "Invited from outside Safehaven")
                : PersonSummary(person, organisation: named[person.organisationID])
            var entry = Disclosure.forShare(share, method: .safehaven, sender: sender, recipient: summary, id: ids.next(), at: now)
            entry.team = sender.department
            entry.authorisedBy = authorisedBy
            if let basis {
                entry.lawfulBasis = basis.basis.rawValue
                entry.justification = basis.justification
                entry.consentID = basis.consentIDs.first
                entry.subjects = caseReferences
            }
            try await tx.insert(entry)
            for subject in basis?.subjectIDs ?? [] {
                try await tx.insert(RecordLink(recordID: subject, kind: .disclosureSubject, targetID: entry.id, at: now))
            }
        }
        return (recipients, organisations)
    }
}
