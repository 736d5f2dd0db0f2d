import Foundation

/// The lawful basis a share is sent under, checked before any bytes arrive: consent must match a
/// live consent that covers every recipient and the purpose; any other basis needs a written
/// justification and waits for a manager's authorisation.
extension ShareService {
    struct BasisPlan: Sendable {
        var basis: LawfulBasis
        var justification: String
        var subjects: [DataSubject]
        var consents: [Consent]
        /// Why a manager must authorise it; empty when nobody need.
        var reasons: [String]
    }

    func planBasis(_ draft: ShareDraft, sender: User, recipients: [User], invitees: [String], purpose: String, marking: Marking,
                   message: String, parent: Share?) async throws -> BasisPlan {
        if let parent {
            // A reply travels back under the basis of what it answers, to the person who sent it.
            let inherited = try await deps.store.read { try await $0.record(id: parent.id) }
            let basis = try inherited.map { try RecordVault(deps).open($0, as: ShareBasis.self) }
            return BasisPlan(basis: basis?.basis ?? .noPersonalData, justification: basis?.justification ?? "", subjects: [], consents: [], reasons: [])
        }
        guard let raw = draft.basis?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw SafehavenError.invalid("basis", "Say the lawful basis for sharing: consent, public interest, a legal duty, vital interests, safeguarding, or that the share is not about an identifiable person.")
        }
        guard let basis = LawfulBasis(rawValue: raw) else {
            throw SafehavenError.invalid("basis", "The basis must be one of: \(LawfulBasis.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let references = draft.caseReferences ?? []
        let justification = try Text.optional(draft.justification, field: "justification", max: 4000)
        if basis == .noPersonalData {
            guard references.allSatisfy({ DataSubject.key($0).isEmpty }) else {
                throw SafehavenError.invalid("basis", "You named people the share is about, so it is about identifiable people: choose the lawful basis for sharing about them.")
            }
            guard PersonalDataScanner.countIdentifiers(message) == 0 else {
                throw SafehavenError.invalid("basis", "The message holds identifiers such as NHS or National Insurance numbers, so it is about people: choose the lawful basis.")
            }
            return BasisPlan(basis: basis, justification: justification, subjects: [], consents: [], reasons: [])
        }
        let subjects = try await SubjectService(deps).resolve(references, organisationID: sender.organisationID)
        guard !subjects.isEmpty else {
            throw SafehavenError.invalid("case_references", "Give the case reference of each person the share is about.")
        }
        var consents: [Consent] = []
        var reasons: [String] = []
        let addressees = recipients.map { ($0.organisationID, $0.email) } + invitees.map { ("", $0) }
        if basis == .consent {
            let vault = RecordVault(deps)
            for subject in subjects {
                let rows = try await deps.store.read { try await $0.records(.consent, subjectID: subject.id) }
                let candidates = try rows.filter { $0.organisationID == sender.organisationID }.map { try vault.open($0, as: Consent.self) }
                    .filter { draft.consentId == nil || draft.consentId == $0.id }
                guard !candidates.isEmpty else {
                    throw SafehavenError(.unprocessable, code: "no_consent",
                                         message: "No consent is recorded for \(subject.caseReference)\(draft.consentId == nil ? "" : " with that id"). Record it first, or choose another basis and say why.")
                }
                let gaps = candidates.map { consent in addressees.compactMap { consent.gap(purpose: purpose, organisationID: $0.0, email: $0.1) }.first }
                guard let index = gaps.firstIndex(where: { $0 == nil }) else {
                    throw SafehavenError(.unprocessable, code: "consent_does_not_cover",
                                         message: "The consent recorded for \(subject.caseReference) does not cover this share: \(gaps.compactMap { $0 }.first ?? "").")
                }
                consents.append(candidates[index])
            }
        } else {
            guard justification.count >= 20 else {
                throw SafehavenError.invalid("justification", "Explain in a sentence or two why sharing without consent is justified: it is recorded with the disclosure and read by the manager who authorises it.")
            }
            reasons.append("Shared without consent: \(basis.label.lowercased())")
        }
        if marking == .officialSensitive && subjects.count > deps.limits.authoriseAbovePeople {
            reasons.append("OFFICIAL-SENSITIVE information about \(subjects.count) people")
        }
        if !reasons.isEmpty { try await requireAuthoriser(for: sender) }
        return BasisPlan(basis: basis, justification: justification, subjects: subjects, consents: consents, reasons: reasons)
    }

    /// The people who may authorise a share from `sender`: managers of the same organisation, not the sender.
    func authorisers(for sender: User, in reader: any StoreReader) async throws -> [User] {
        try await reader.users(organisationID: sender.organisationID).filter { $0.has(.manager) && !$0.disabled && $0.id != sender.id }
    }

    func requireAuthoriser(for sender: User) async throws {
        let found = try await deps.store.read { try await authorisers(for: sender, in: $0) }
        guard !found.isEmpty else {
            throw SafehavenError(.unprocessable, code: "no_authoriser",
                                 message: "This share needs a manager's authorisation, and nobody else in your organisation is a manager on Safehaven. Ask an administrator.")
        }
    }
}
