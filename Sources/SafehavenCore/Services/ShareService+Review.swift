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
        let unknown = emails.filter { byEmail[$0] == nil && $0 != sender.email }
        if !unknown.isEmpty { problems.append("no Safehaven account for \(unknown.joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw SafehavenError.invalid("recipients", "Check the recipients: " + problems.joined(separator: "; ") + ".")
        }
        let engine = RouteEngine(policy: try await PolicyService(deps).policy())
        let fresh = Set(try await firstTimeAddresses(emails, from: sender))
        let named = Dictionary(organisations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try emails.map { email in
            let person = byEmail[email]!
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
