import Foundation
import HTTPTypes
import Hummingbird

/// Every route the service answers, named once. Routes are registered from here, links are built
/// from here, and a test checks this list against `openapi.yaml` both ways.
public enum Endpoint: String, CaseIterable, Sendable {
    case health, metrics, openAPI
    case signIn, signOut
    case account, beginTOTP, confirmTOTP, disableTOTP, changePassword, listTokens, revokeToken
    case disableUser, enableUser, resetUserTOTP
    case createShare, inbox, sent, showShare, deleteShare, downloadFile, confirmReceipt, reply, revoke, tracking
    case checkRoute, advise, checkSubject, profiles, faxCoverSheet, envelope
    case exportShare, downloadExport
    case listPartnerPasswords, createPartnerPassword, revealPartnerPassword, rotatePartnerPassword
    case register, recordRegister, correctRegister
    case listSubjects, createSubject, showSubject
    case listConsents, recordConsent, showConsent, withdrawConsent, revokeUnderConsent
    case listAuthorisations, showAuthorisation, approveShare, refuseShare
    case listOffsite, takeOffsite, returnOffsite
    case listMedia, issueMedia, closeMedia
    case listIncidents, reportIncident, showIncident, linkIncidentShare, recallIncident, incidentTold, decideIncident, closeIncident
    case createDraft, showDraft, discardDraft
    case uploadOptions, createUpload, uploadStatus, appendUpload, terminateUpload

    public var method: HTTPRequest.Method {
        switch self {
        case .health, .metrics, .openAPI, .account, .inbox, .sent, .showShare, .downloadFile, .tracking, .profiles,
             .downloadExport, .listPartnerPasswords, .register, .listTokens, .listSubjects, .showSubject, .listConsents, .showConsent,
             .listAuthorisations, .showAuthorisation, .listOffsite, .listMedia, .listIncidents, .showIncident, .showDraft:
            return .get
        case .signOut, .deleteShare, .revokeToken, .discardDraft, .terminateUpload:
            return .delete
        case .uploadOptions:
            return .options
        case .uploadStatus:
            return .head
        case .appendUpload:
            return .patch
        default:
            return .post
        }
    }

    /// The path as OpenAPI writes it, with `{name}` for each parameter.
    public var template: String {
        switch self {
        case .health: return "/health"
        case .metrics: return "/metrics"
        case .openAPI: return "/openapi.yaml"
        case .signIn: return "/api/v1/sessions"
        case .signOut: return "/api/v1/sessions/current"
        case .account: return "/api/v1/account"
        case .beginTOTP: return "/api/v1/account/totp"
        case .confirmTOTP: return "/api/v1/account/totp/confirm"
        case .disableTOTP: return "/api/v1/account/totp/disable"
        case .changePassword: return "/api/v1/account/password"
        case .listTokens: return "/api/v1/account/tokens"
        case .revokeToken: return "/api/v1/account/tokens/{id}"
        case .disableUser: return "/api/v1/users/{id}/disable"
        case .enableUser: return "/api/v1/users/{id}/enable"
        case .resetUserTOTP: return "/api/v1/users/{id}/totp/reset"
        case .createShare: return "/api/v1/shares"
        case .inbox: return "/api/v1/inbox"
        case .sent: return "/api/v1/sent"
        case .showShare, .deleteShare: return "/api/v1/shares/{id}"
        case .downloadFile: return "/api/v1/shares/{id}/files/{fileId}"
        case .confirmReceipt: return "/api/v1/shares/{id}/receipt"
        case .reply: return "/api/v1/shares/{id}/replies"
        case .revoke: return "/api/v1/shares/{id}/revoke"
        case .tracking: return "/api/v1/shares/{id}/tracking"
        case .checkRoute: return "/api/v1/policy/route"
        case .advise: return "/api/v1/policy/advice"
        case .checkSubject: return "/api/v1/policy/check"
        case .profiles: return "/api/v1/policy/profiles"
        case .faxCoverSheet: return "/api/v1/artefacts/fax-cover-sheet"
        case .envelope: return "/api/v1/artefacts/envelope"
        case .exportShare: return "/api/v1/shares/{id}/export"
        case .downloadExport: return "/api/v1/exports/{id}"
        case .listPartnerPasswords, .createPartnerPassword: return "/api/v1/archive-passwords"
        case .revealPartnerPassword: return "/api/v1/archive-passwords/{id}/reveal"
        case .rotatePartnerPassword: return "/api/v1/archive-passwords/{id}/rotate"
        case .register, .recordRegister: return "/api/v1/register"
        case .correctRegister: return "/api/v1/register/{id}/corrections"
        case .listSubjects, .createSubject: return "/api/v1/subjects"
        case .showSubject: return "/api/v1/subjects/{id}"
        case .listConsents, .recordConsent: return "/api/v1/consents"
        case .showConsent: return "/api/v1/consents/{id}"
        case .withdrawConsent: return "/api/v1/consents/{id}/withdraw"
        case .revokeUnderConsent: return "/api/v1/consents/{id}/revoke-shares"
        case .listAuthorisations: return "/api/v1/authorisations"
        case .showAuthorisation: return "/api/v1/authorisations/{id}"
        case .approveShare: return "/api/v1/authorisations/{id}/approve"
        case .refuseShare: return "/api/v1/authorisations/{id}/refuse"
        case .listOffsite, .takeOffsite: return "/api/v1/offsite"
        case .returnOffsite: return "/api/v1/offsite/{id}/return"
        case .listMedia, .issueMedia: return "/api/v1/media"
        case .closeMedia: return "/api/v1/media/{id}/close"
        case .listIncidents, .reportIncident: return "/api/v1/incidents"
        case .showIncident: return "/api/v1/incidents/{id}"
        case .linkIncidentShare: return "/api/v1/incidents/{id}/shares"
        case .recallIncident: return "/api/v1/incidents/{id}/recall"
        case .incidentTold: return "/api/v1/incidents/{id}/notifications"
        case .decideIncident: return "/api/v1/incidents/{id}/decision"
        case .closeIncident: return "/api/v1/incidents/{id}/close"
        case .createDraft: return "/api/v1/drafts"
        case .showDraft, .discardDraft: return "/api/v1/drafts/{id}"
        case .uploadOptions, .createUpload: return "/api/v1/uploads"
        case .uploadStatus, .appendUpload, .terminateUpload: return "/api/v1/uploads/{id}"
        }
    }

    /// Whether the route answers without signing in.
    public var isPublic: Bool {
        switch self {
        case .health, .metrics, .openAPI, .signIn, .uploadOptions: return true
        default: return false
        }
    }

    /// The template as Hummingbird's router reads it (`:name` for each parameter).
    var routerPath: RouterPath {
        RouterPath(template.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/"))
    }

    /// A concrete path: each `{name}` replaced, in order, by a percent-encoded value.
    public func path(_ values: String...) -> String {
        var remaining = values[...]
        return template.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            guard part.hasPrefix("{"), let value = remaining.popFirst() else { return String(part) }
            return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? value
        }.joined(separator: "/")
    }

    /// The routes whose template matches a concrete path, whatever their method.
    static func matching(path: String) -> [Endpoint] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return allCases.filter { endpoint in
            let template = endpoint.template.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == parts.count else { return false }
            return zip(template, parts).allSatisfy { t, p in t.hasPrefix("{") || t == p }
        }
    }
}

extension RouterMethods {
    /// Registers `handler` for `endpoint`'s method and path.
    @discardableResult
    func on(_ endpoint: Endpoint, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(endpoint.routerPath, method: endpoint.method, use: handler)
    }
}
