import Foundation
import Hummingbird
import NIOCore
import SafehavenCore

/// `/api/v1/policy/{route,advice,check}` and the printable artefacts under `/api/v1/artefacts`.
struct PolicyController {
    let runtime: Runtime

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("policy/route", use: route)
        group.post("policy/advice", use: advice)
        group.post("policy/check", use: check)
        group.get("policy/profiles", use: profiles)
        group.post("artefacts/fax-cover-sheet", use: faxCover)
        group.post("artefacts/envelope", use: envelope)
    }

    /// A profile named in the request, or the policy the service runs with, plus the
    /// organisations in the directory (their own networks, and domains to protect from look-alikes).
    private func policy(_ profile: String?) async throws -> RoutePolicy {
        var base = runtime.deps.policy
        if let profile {
            guard let named = BuiltInProfiles.named(profile) else {
                throw SafehavenError.invalid("profile", "Unknown profile; choose one of \(BuiltInProfiles.names.joined(separator: ", ")).")
            }
            base = named
        }
        return base.including(directory: try await runtime.store.read { try await $0.organisations() })
    }

    struct RouteRequest: Decodable {
        let from: String
        let to: String
        let profile: String?
    }

    @Sendable func route(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let body = try await JSON.decode(RouteRequest.self, from: request, limit: 16 * 1024)
        return try JSON.response(try RouteEngine(policy: try await policy(body.profile)).evaluate(from: body.from, to: body.to))
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
        _ = try context.requireUser()
        let body = try await JSON.decode(AdviceBody.self, from: request, limit: 16 * 1024)
        let advisor = ChannelAdvisor(engine: RouteEngine(policy: try await policy(body.profile)))
        return try JSON.response(try advisor.advise(AdviceRequest(
            marking: body.marking, people: body.people, urgency: body.urgency ?? .routine, from: body.from, to: body.to,
            recipientHasAccount: body.recipientHasAccount ?? true, available: body.available)))
    }

    struct CheckRequest: Decodable {
        let text: String
        let names: [String]?
    }

    struct CheckResponse: Encodable {
        let clean: Bool
        let findings: [PersonalDataFinding]
        let identifiers: Int
    }

    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let body = try await JSON.decode(CheckRequest.self, from: request, limit: 256 * 1024)
        let findings = PersonalDataScanner(names: body.names ?? [], today: runtime.deps.clock.now()).scan(body.text)
        return try JSON.response(CheckResponse(clean: findings.isEmpty, findings: findings,
                                               identifiers: PersonalDataScanner.countNHSNumbers(body.text)))
    }

    struct ProfileSummary: Encodable {
        let name: String
        let description: String
        let sources: [String]
        let inUse: Bool
    }

    @Sendable func profiles(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let current = runtime.deps.policy.name
        return try JSON.response(BuiltInProfiles.all.map {
            ProfileSummary(name: $0.name, description: $0.description, sources: $0.sources, inUse: $0.name == current)
        })
    }

    @Sendable func faxCover(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let raw = try await JSON.decode(FaxCover.self, from: request, limit: 16 * 1024)
        return Self.html(try raw.render())
    }

    @Sendable func envelope(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireUser()
        return Self.html(try await JSON.decode(EnvelopeLabels.self, from: request, limit: 16 * 1024).render())
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
