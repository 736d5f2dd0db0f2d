import Foundation
import SafehavenCore

/// The answers so far of the compose journey, carried from step to step in hidden fields (no
/// state on the server until the share is sent). Nothing here is trusted: the send checks every
/// answer again exactly as the API does.
struct ComposeState: Sendable, Equatable {
    static let names = ["recipients", "subject", "marking", "purpose", "basis", "caseReferences", "justification", "handling", "message", "expiry",
                        "viewOnly", "requireReceipt", "confirmRecipients"]
    static let expiryChoices = [(7, "7 days"), (14, "14 days"), (30, "30 days"), (90, "90 days")]

    var fields: [String: String]

    init(_ fields: [String: String]) {
        self.fields = fields.filter { Self.names.contains($0.key) }
    }

    subscript(_ name: String) -> String { fields[name] ?? "" }
    var recipients: [String] { ShareService.addresses(in: self["recipients"]) }
    var expiryDays: Int { Int(self["expiry"]).flatMap { d in Self.expiryChoices.contains { $0.0 == d } ? d : nil } ?? 30 }
    var confirmed: Bool { self["confirmRecipients"] == "yes" }
    /// Case references typed one per line or separated by commas.
    var caseReferences: [String] {
        self["caseReferences"].components(separatedBy: CharacterSet(charactersIn: ",;\n")).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A recipient needs checking (first time, a warning, an invitation) and the sender has not said they did.
    func lacksConfirmation(_ review: [ShareService.RecipientReview]) -> Bool {
        review.contains(where: \.needsConfirmation) && !confirmed
    }

    /// Every answer except those the current step shows as fields.
    func hidden(except shown: Set<String>) -> [Hidden] {
        Self.names.filter { !shown.contains($0) && fields[$0] != nil }.map { Hidden(name: $0, value: fields[$0]!) }
    }

    /// The draft the service checks, with the expiry counted from now.
    func draft(now: Date) -> ShareDraft {
        ShareDraft(subject: self["subject"], message: self["message"], recipients: recipients,
                   marking: self["marking"].isEmpty ? nil : self["marking"], purpose: self["purpose"], handling: self["handling"],
                   expiresAt: ISODate.format(now.addingTimeInterval(TimeInterval(expiryDays) * 86_400)),
                   viewOnly: self["viewOnly"] == "yes", requireReceipt: self["requireReceipt"] == "yes", basis: self["basis"],
                   caseReferences: caseReferences, justification: self["justification"])
    }

    /// The form field an error from a service belongs to, when its code says; nil otherwise.
    static func field(for error: SafehavenError) -> String? {
        switch error.code {
        case "personal_data_in_subject": return "subject"
        case "unknown_recipient": return "recipients"
        case "invalid_expires_at": return "expiry"
        case "no_consent", "consent_does_not_cover", "no_authoriser": return "basis"
        case "invalid_case_references": return "caseReferences"
        default:
            return error.code.hasPrefix("invalid_") ? String(error.code.dropFirst("invalid_".count)) : nil
        }
    }
}
