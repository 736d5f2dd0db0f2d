import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// `/api/v1/policy/{route,advice,check,profiles}` and the printable artefacts under `/api/v1/artefacts`.
struct PolicyController {
    let policy: PolicyService
    let pages: PageRenderer

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.on(.checkRoute, use: route)
        group.on(.advise, use: advice)
        group.on(.checkSubject, use: check)
        group.on(.profiles, use: profiles)
        group.on(.faxCoverSheet, use: faxCover)
        group.on(.envelope, use: envelope)
    }

    struct RouteRequest: Decodable {
        let from: String
        let to: String
        let profile: String?
    }

    @Sendable func route(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: RouteRequest.self, context: context)
        return try JSON.response(try await policy.route(from: body.from, to: body.to, profile: body.profile))
    }

    struct AdviceBody: Decodable {
        let marking: String
        let people: Int
        let urgency: AdviceRequest.Urgency?
        let from: String
        let to: String
        let recipientHasAccount: Bool?
        let available: [SafehavenCore.Channel]?
        let profile: String?
    }

    @Sendable func advice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decode(as: AdviceBody.self, context: context)
        return try JSON.response(try await policy.advise(AdviceRequest(
            marking: body.marking, people: body.people, urgency: body.urgency ?? .routine, from: body.from, to: body.to,
            recipientHasAccount: body.recipientHasAccount ?? true, available: body.available), profile: body.profile))
    }

    struct CheckRequest: Decodable {
        let text: String
        let names: [String]?
    }

    struct CheckResponse: ResponseEncodable {
        let clean: Bool
        let findings: [PersonalDataFinding]
        let identifiers: Int
    }

    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> CheckResponse {
        let body = try await request.decode(as: CheckRequest.self, context: context)
        let findings = try await policy.check(body.text, names: body.names ?? [], organisationID: context.identity?.user.organisationID)
        return CheckResponse(clean: findings.isEmpty, findings: findings, identifiers: PersonalDataScanner.countIdentifiers(body.text))
    }

    struct ProfileSummary: Encodable {
        let name: String
        let description: String
        let sources: [String]
        let inUse: Bool
    }

    @Sendable func profiles(_ request: Request, context: AppRequestContext) async throws -> [ProfileSummary] {
        let current = policy.profileInUse
        return BuiltInProfiles.all.map {
            ProfileSummary(name: $0.name, description: $0.description, sources: $0.sources, inUse: $0.name == current)
        }
    }

    @Sendable func faxCover(_ request: Request, context: AppRequestContext) async throws -> Response {
        let cover = try await request.decode(as: FaxCover.self, context: context)
        return Self.html(try pages.faxCover(try cover.sheet()))
    }

    @Sendable func envelope(_ request: Request, context: AppRequestContext) async throws -> Response {
        let labels = try await request.decode(as: EnvelopeLabels.self, context: context)
        return Self.html(try pages.envelope(try labels.labels()))
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        var response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        // Printable pages need their inline style; nothing else.
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        return response
    }
}
