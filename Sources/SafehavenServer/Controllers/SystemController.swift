import Foundation
import Hummingbird
import NIOCore
import Prometheus
import SafehavenCore

/// `GET /health`, `GET /metrics`, `GET /openapi.yaml`.
struct SystemController {
    let runtime: Runtime
    let metrics: PrometheusCollectorRegistry

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health", use: health)
        router.get("metrics", use: prometheus)
        router.get("openapi.yaml", use: openAPI)
    }

    struct Health: Encodable {
        let status: String
        let database: String
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            _ = try await runtime.store.read { try await $0.userCount() }
            return try JSON.response(Health(status: "ok", database: "ok"))
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            return try JSON.response(Health(status: "unavailable", database: "unreachable"), status: .serviceUnavailable)
        }
    }

    @Sendable func prometheus(_ request: Request, context: AppRequestContext) async throws -> Response {
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
