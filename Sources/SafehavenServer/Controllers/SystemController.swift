import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import SafehavenCore
import SafehavenCrypto

/// `GET /health`, `GET /metrics`, `GET /openapi.yaml`.
struct SystemController {
    let health: HealthService
    let metrics: PrometheusCollectorRegistry
    /// Without a token configured, metrics are not served at all: they reveal activity.
    let metricsToken: String?

    func addRoutes(to router: Router<AppRequestContext>) {
        router.on(.health, use: health)
        router.on(.metrics, use: prometheus)
        router.on(.openAPI, use: openAPI)
    }

    struct Health: Encodable {
        let status: String
        let database: String
        let storage: String
    }

    /// 200 when ready; 503 naming what is wrong (database unreachable or read-only, storage
    /// read-only or low on space).
    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        let report = await health.check()
        let body = Health(status: report.ready ? "ok" : "unavailable", database: report.database.rawValue, storage: report.storage.rawValue)
        if !report.ready { context.logger.error("not ready", metadata: ["database": "\(body.database)", "storage": "\(body.storage)"]) }
        return try JSON.response(body, status: report.ready ? .ok : .serviceUnavailable)
    }

    @Sendable func prometheus(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let metricsToken else { throw SafehavenError.notFound }
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard Tokens.constantTimeEqual(given, metricsToken) else { throw SafehavenError.unauthenticated }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }

    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { throw SafehavenError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml; charset=utf-8"
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
