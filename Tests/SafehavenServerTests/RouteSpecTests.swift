import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing
import Yams

/// The routes the service answers and the ones `openapi.yaml` describes are the same set, and
/// every route is really wired to a handler.
@Suite struct RouteSpecTests {
    struct Route: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
    }

    /// Every operation the served document lists.
    func documented() throws -> Set<Route> {
        let url = try #require(Bundle(for: BundleMarker.self).url(forResource: "openapi", withExtension: "yaml")
            ?? Self.repositoryFile("openapi.yaml"))
        let spec = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        var out: Set<Route> = []
        for (path, item) in paths {
            for method in item.keys where ["get", "head", "options", "post", "put", "patch", "delete"].contains(method) {
                out.insert(Route(method: method.uppercased(), path: path))
            }
        }
        return out
    }

    static func repositoryFile(_ name: String) -> URL? {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let served = Set(Endpoint.allCases.map { Route(method: $0.method.rawValue, path: $0.template) })
        let spec = try documented()
        #expect(served.subtracting(spec).isEmpty, "routes missing from openapi.yaml: \(served.subtracting(spec).sorted { $0.description < $1.description })")
        #expect(spec.subtracting(served).isEmpty, "documented routes the service lacks: \(spec.subtracting(served).sorted { $0.description < $1.description })")
    }

    @Test(arguments: TestDatabase.available)
    func everyEndpointIsWiredAndOtherMethodsGet405(db: TestDatabase) async throws {
        // With a scraper token configured, /metrics is served (and asks for it).
        try await withAPI(db, configure: { $0.metricsToken = HardeningTests.scraper }) { api, _, _ in
            for endpoint in Endpoint.allCases {
                let path = endpoint.template.replacingOccurrences(of: "{id}", with: "x-1").replacingOccurrences(of: "{fileId}", with: "f-1")
                // tus routes first check the protocol version, then who is asking.
                let tus: HTTPFields = endpoint.template.hasPrefix("/api/v1/uploads") ? [HTTPField.Name("Tus-Resumable")!: "1.0.0"] : [:]
                let reply = try await api.call(endpoint.method, path, headers: tus)
                // Without a token, a protected route says 401; a public one answers for itself.
                if endpoint.isPublic {
                    #expect(![404, 405].contains(reply.status.code), "\(endpoint) is not wired: \(reply.status)")
                } else {
                    #expect(reply.status == .unauthorized, "\(endpoint): \(reply.status)")
                    if endpoint.method != .head { #expect(try reply.error().code == "unauthenticated") }
                }
            }
            let wrong = try await api.call(.put, "/api/v1/shares/x-1")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "DELETE, GET, HEAD")
            #expect(try wrong.error().code == "method_not_allowed")
            let nowhere = try await api.call(.get, "/api/v1/nowhere")
            #expect(nowhere.status == .notFound)
        }
    }

    @Test func linksAreBuiltFromTheSameTemplates() {
        #expect(Endpoint.downloadFile.path("s-1", "f 2") == "/api/v1/shares/s-1/files/f%202")
        #expect(Endpoint.downloadExport.path("e/1") == "/api/v1/exports/e%2F1")
        #expect(Endpoint.inbox.path() == "/api/v1/inbox")
    }
}

private final class BundleMarker {}
