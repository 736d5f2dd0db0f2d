import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import SafehavenCore
import ServiceLifecycle

/// Metrics can be bootstrapped once per process; tests build many applications.
enum MetricsBootstrap {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// The router every instance serves; used by production and by tests alike.
public func buildRouter(runtime: Runtime) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    SystemController(runtime: runtime, metrics: MetricsBootstrap.registry).addRoutes(to: router)
    let api = router.group("api/v1")
    let sessions = SessionController(runtime: runtime)
    sessions.addPublicRoutes(to: api)
    let protected = api.group().add(middleware: BearerAuthMiddleware(auth: runtime.auth))
    sessions.addRoutes(to: protected)
    AccountController(runtime: runtime).addRoutes(to: protected)
    ShareController(runtime: runtime).addRoutes(to: protected)
    PolicyController(runtime: runtime).addRoutes(to: protected)
    ExportController(runtime: runtime).addRoutes(to: protected)
    return router
}

/// The whole service: HTTP server plus background jobs, as one swift-service-lifecycle group.
public func buildApplication(
    runtime: Runtime, runJobs: Bool = true, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    var logger = runtime.logger
    logger.logLevel = runtime.config.logLevel
    var services: [any Service] = []
    if runJobs { services.append(BackgroundJobs(runtime: runtime, interval: .seconds(runtime.config.jobInterval))) }
    return Application(
        router: buildRouter(runtime: runtime),
        configuration: .init(address: .hostname(runtime.config.host, port: runtime.config.port), serverName: "Safehaven"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}
