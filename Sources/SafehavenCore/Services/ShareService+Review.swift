import Foundation

/// Before sending: each address checked against the directory and the rules, so the sender sees
/// the route verdict, any look-alike warning and whether they have ever sent to it before.
extension ShareService {
    public struct RecipientReview: Sendable, Equatable {
        public let email: String
        public let person: PersonSummary
        public let route: RouteVerdict
        /// This sender has never sent a share to this address.
        public let firstTime: Bool
        /// No account: they will be invited to set one up.
        public var invite: Bool = false

        /// Something the sender must confirm they have checked before sending.
        public var needsConfirmation: Bool { firstTime || !route.warnings.isEmpty }
    }

    /// Splits what a person typed into addresses: one per line, or separated by commas, semicolons or spaces.
    public static func addresses(in text: String) -> [String] {
        text.split { $0 == "\n" || $0 == "\r" || $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" }.map(String.init)
    }

    /// Checks every address, collecting all problems into one error naming each address, so the
    /// sender fixes them in one go. Order and duplicates are settled as the send will settle them.
    public func review(_ raw: [String], sender: User) async throws -> [RecipientReview] {
        if sender.has(.external) {
            throw SafehavenError.forbidden("invited_reply_only", "People invited from outside Safehaven can reply to what was sent to them, but not send new shares.")
        }
        guard !raw.isEmpty else { throw SafehavenError.invalid("recipients", "Add at least one recipient.") }
        var emails: [String] = [], problems: [String] = []
        for item in raw {
            if let email = try? EmailAddress.normalise(item, field: "recipients") {
                if !emails.contains(email) { emails.append(email) }
            } else {
                problems.append("\(String(item.prefix(80))) is not an email address")
            }
        }
        if emails.count > deps.limits.maxRecipients {
            problems.append("a share can have at most \(deps.limits.maxRecipients) recipients")
        }
        if emails.contains(sender.email) { problems.append("you cannot send a share to yourself") }
        let wanted = emails
        let (accounts, organisations) = try await deps.store.read { db in
            let accounts = try await db.users(emails: wanted)
            return (accounts, try await db.organisations(ids: Array(Set(accounts.map(\.organisationID)))))
        }
        let byEmail = Dictionary(accounts.filter { !$0.disabled }.map { ($0.email, $0) }, uniquingKeysWith: { first, _ in first })
        let closed = emails.filter { email in accounts.contains { $0.email == email && $0.disabled } }
        if !closed.isEmpty { problems.append("these accounts are closed: \(closed.joined(separator: ", "))") }
        let unknown = emails.filter { email in byEmail[email] == nil && email != sender.email && !closed.contains(email) }
        let orgID = sender.organisationID
        let policy = try await deps.store.read { try await $0.externalPolicy(organisationID: orgID) } ?? ExternalPolicy()
        let engine = RouteEngine(policy: try await PolicyService(deps).policy())
        for email in unknown {
            if !policy.allows(email) {
                problems.append("no Safehaven account for \(email), and your organisation " +
                                (policy.rule == .none ? "does not allow inviting people without one" : "allows inviting only people at \(policy.domains.joined(separator: ", "))"))
            } else if let verdict = try? engine.evaluate(from: sender.email, to: email), verdict.rule == "look-alike" || !verdict.warnings.isEmpty {
                problems.append("\(email) will not be invited: \(verdict.warnings.first ?? "it imitates another address")")
            }
        }
        guard problems.isEmpty else {
            throw SafehavenError.invalid("recipients", "Check the recipients: " + problems.joined(separator: "; ") + ".")
        }
        let fresh = Set(try await firstTimeAddresses(emails, from: sender))
        let named = Dictionary(organisations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try emails.map { email in
            guard let person = byEmail[email], !person.awaitingInvitation else {
                var review = RecipientReview(email: email, person: PersonSummary(email: email, name: "Not on Safehaven yet", jobTitle: "", phone: "",
                                                                                  organisation: "they will be invited to set up access"),
                                             route: try engine.evaluate(from: sender.email, to: email), firstTime: true)
                review.invite = true
                return review
            }
            return RecipientReview(email: email, person: PersonSummary(person, organisation: named[person.organisationID]),
                                   route: try engine.evaluate(from: sender.email, to: email), firstTime: fresh.contains(email))
        }
    }

    /// Checks a draft exactly as sending will, without keeping anything: for a form's step.
    public func check(_ draft: ShareDraft, sender: User) async throws {
        let upload = try await beginUpload(sender: sender)
        defer { upload.discard() }
        try await accept(draft, into: upload)
    }
}
