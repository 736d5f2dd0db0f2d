import Foundation
import ServiceLifecycle

/// The database connection as a swift-service-lifecycle service: it stays open while the
/// application runs and is closed once, after the server has stopped taking requests.
struct DatabaseService: Service {
    let runtime: Runtime

    func run() async throws {
        try? await gracefulShutdown()
        await runtime.close()
    }
}
