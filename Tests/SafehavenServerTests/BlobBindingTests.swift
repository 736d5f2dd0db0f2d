import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Blobs are bound to their share and file; damage is refused before a status line and recorded
/// as a failure, never as a download.
@Suite struct BlobBindingTests {
    func path(_ env: TestEnvironment, blob: String) -> URL {
        env.directoryURL.appendingPathComponent("blobs/\(blob.prefix(2))/\(blob)")
    }

    func files(_ env: TestEnvironment, _ share: String) async throws -> [ShareFile] {
        try await env.store.read { try await $0.files(shareID: share) }
    }

    func trackingTypes(_ api: API, _ id: String, token: String) async throws -> [String] {
        let reply = try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: token)
        let recipients = try reply.json["recipients"] as? [[String: Any]] ?? []
        return recipients.flatMap { ($0["events"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }
    }

    @Test(arguments: TestDatabase.available)
    func swappedBlobsFailToOpenAndTheFailureIsRecorded(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let one = try #require(try await api.send(token: alice, API.share(), files: [("a.pdf", Data(repeating: 1, count: 1000)),
                                                                                      ("b.pdf", Data(repeating: 2, count: 1000))]).json["id"] as? String)
            let two = try #require(try await api.send(token: alice, API.share(), files: [("c.pdf", Data(repeating: 3, count: 1000))]).json["id"] as? String)
            let f1 = try await files(env, one), f2 = try await files(env, two)
            // Swap a.pdf and b.pdf on disk (same share), and put c.pdf (another share) in place of b.pdf.
            let a = path(env, blob: f1[0].blobID), b = path(env, blob: f1[1].blobID), c = path(env, blob: f2[0].blobID)
            let (da, db_, dc) = (try Data(contentsOf: a), try Data(contentsOf: b), try Data(contentsOf: c))
            try db_.write(to: a)
            try dc.write(to: b)
            _ = da
            for file in f1 {
                let reply = try await api.call(.get, "/api/v1/shares/\(one)/files/\(file.id)", token: bob)
                #expect(reply.status == .internalServerError)
                #expect(reply.errorCode == "content_damaged")
            }
            let types = try await trackingTypes(api, one, token: alice)
            #expect(types.filter { $0 == "download_failed" }.count == 2)
            #expect(!types.contains("downloaded"))
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.filter { $0 == "share.download_failed" }.count == 2 && !actions.contains("share.downloaded"))
            // The untouched share still downloads, and that is recorded as a download.
            let ok = try await api.call(.get, "/api/v1/shares/\(two)/files/\(f2[0].id)", token: bob)
            #expect(ok.status == .ok && ok.bytes == Array(repeating: 3, count: 1000))
            #expect(try await trackingTypes(api, two, token: alice).contains("downloaded"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func damageLaterInTheFileCutsTheDownloadAndIsNotADownload(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let body = Data(SeededRandomSource(seed: 4).bytes(300_000))
            let id = try #require(try await api.send(token: alice, API.share(), files: [("scan.pdf", body)]).json["id"] as? String)
            let file = try await files(env, id)[0]
            let url = path(env, blob: file.blobID)
            var sealed = try Data(contentsOf: url)
            sealed[sealed.count - 100] ^= 0x01
            try sealed.write(to: url)
            let reply = try? await api.call(.get, "/api/v1/shares/\(id)/files/\(file.id)", token: bob)
            #expect(reply.map { $0.bytes.count < body.count } ?? true, "a damaged file was delivered whole")
            let types = try await trackingTypes(api, id, token: alice)
            #expect(types.contains("download_failed") && !types.contains("downloaded"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aMessageMovedToAnotherShareDoesNotOpen(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let one = try #require(try await api.send(token: alice, API.share()).json["id"] as? String)
            let two = try #require(try await api.send(token: alice, API.share()).json["id"] as? String)
            // Same data key is not even needed to show it: move share one's key and message to share two.
            let moved = try #require(try await env.store.read { try await $0.share(id: one) })
            try await env.store.execute("""
                UPDATE share_secrets SET message_sealed = '\(moved.messageSealed ?? "")', wrapped_key = '\(moved.wrappedKey ?? "")'
                WHERE share_id = '\(two)'
                """)
            let reply = try await api.call(.get, "/api/v1/shares/\(two)", token: bob)
            #expect(reply.status == .internalServerError && reply.errorCode == "content_damaged")
            #expect(try await api.call(.get, "/api/v1/shares/\(one)", token: bob).status == .ok)
        }
    }
}
