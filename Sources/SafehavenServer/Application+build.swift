import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import SafehavenCore
import SafehavenStorage
import ServiceLifecycle

/// Metrics can be bootstrapped once per process; tests build many applications.
enum MetricsBootstrap {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// The router every instance serves; used by production and by tests alike. Every path comes
/// from `Endpoint`; controllers get the services they use and nothing else.
public func buildRouter(runtime: Runtime) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(strictTransport: runtime.config.isHTTPS))
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    SystemController(health: runtime.health, metrics: MetricsBootstrap.registry, metricsToken: runtime.config.metricsToken).addRoutes(to: router)
    let open = router.group()
    let sessions = SessionController(auth: runtime.auth)
    sessions.addPublicRoutes(to: open)
    let signedIn = router.group()
        .add(middleware: BearerAuthenticator(auth: runtime.auth))
        .add(middleware: RequireSignIn())
    sessions.addRoutes(to: signedIn)
    AccountController(auth: runtime.auth, directory: runtime.directory).addRoutes(to: signedIn)
    ShareController(shares: runtime.shares, clock: runtime.deps.clock, limits: runtime.config.limits).addRoutes(to: signedIn)
    PolicyController(policy: runtime.policy, pages: try PageRenderer()).addRoutes(to: signedIn)
    ExportController(exports: runtime.exports).addRoutes(to: signedIn)
    PartnerPasswordController(passwords: runtime.partnerPasswords).addRoutes(to: signedIn)
    RegisterController(register: runtime.register).addRoutes(to: signedIn)
    SubjectConsentController(deps: runtime.deps).addRoutes(to: signedIn)
    AuthorisationController(deps: runtime.deps).addRoutes(to: signedIn)
    LogbookController(deps: runtime.deps).addRoutes(to: signedIn)
    IncidentController(deps: runtime.deps).addRoutes(to: signedIn)
    UserAdminController(auth: runtime.auth).addRoutes(to: signedIn)
    UploadController.api(runtime).addRoutes(api: signedIn, tus: router.group().add(middleware: TusProtocolMiddleware()), auth: runtime.auth)
    // The web pages: a cookie session, never accepted by the API above (so no API call can be
    // forged from another site), and every form carries a token derived from the session.
    let web = router.group().add(middleware: CookieAuthenticator(auth: runtime.auth))
    WebController(runtime: runtime, pages: try PageRenderer()).addRoutes(to: web)
    return router
}

/// The whole service: HTTP server plus background jobs, as one swift-service-lifecycle group.
/// The database is a service of its own and closes when the group shuts down. The runtime arrives
/// migrated (`Runtime.open`), so neither the server nor the background jobs ever see an old
/// schema; nothing here migrates again.
public func buildApplication(
    runtime: Runtime, runJobs: Bool = true, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    var logger = runtime.logger
    logger.logLevel = runtime.config.logLevel
    var services: [any Service] = [DatabaseService(runtime: runtime)]
    let port = BoundPort(runtime.config.port)
    if runJobs {
        services.append(BackgroundJobs(runtime: runtime, interval: .seconds(runtime.config.jobInterval)))
        services.append(AuditCheckpointJob(runtime: runtime))
        services.append(OutboxService(worker: try runtime.outboxWorker(port: port), interval: .seconds(runtime.config.mail.intervalSeconds)))
    }
    return Application(
        router: try buildRouter(runtime: runtime),
        configuration: .init(address: .hostname(runtime.config.host, port: runtime.config.port), serverName: "Safehaven"),
        services: services,
        onServerRunning: { channel in
            port.set(channel.localAddress?.port ?? 0)
            await onServerRunning(channel.localAddress?.port ?? 0)
        },
        logger: logger)
}
