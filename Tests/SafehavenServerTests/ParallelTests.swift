import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenServer
import SafehavenTestSupport
import Testing

/// Many people at once against a real server on a real port: the read connections and the writer
/// must agree, and nothing acknowledged may go missing.
@Suite struct ParallelTests {
    @Test(arguments: TestDatabase.available)
    func fortySendersAndFortyReadersAtOnce(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            let app = try buildApplication(runtime: env.runtime, runJobs: false)
            try await app.test(.live) { client in
                let api = API(client: client, env: env)
                let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
                let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
                let (created, listed) = try await withThrowingTaskGroup(of: (String?, Int?).self) { group in
                    for n in 0..<40 {
                        group.addTask {
                            let reply = try await api.send(token: alice, API.share(["subject": "Strategy papers \(n)"]))
                            #expect(reply.status == .created, "send \(n): \(reply.status)")
                            return (try? reply.decode(ShareDetailReply.self).id, nil)
                        }
                        group.addTask {
                            let reply = try await api.call(.get, "/api/v1/inbox?limit=5", token: bob)
                            #expect(reply.status == .ok, "inbox: \(reply.status)")
                            let page = try reply.decode(ShareListReply.self)
                            #expect(page.shares.count <= 5 && page.total <= 40)
                            return (nil, page.total)
                        }
                    }
                    var ids: [String] = []
                    var totals: [Int] = []
                    for try await (id, total) in group {
                        if let id { ids.append(id) }
                        if let total { totals.append(total) }
                    }
                    return (ids, totals)
                }
                #expect(Set(created).count == 40)
                #expect(listed.count == 40)
                // Every acknowledged share is in the inbox, once, walking page by page.
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let path = "/api/v1/inbox?limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await api.call(.get, path, token: bob).decode(ShareListReply.self)
                    #expect(page.total == 40)
                    seen += page.shares.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen.count == 40)
                #expect(Set(seen) == Set(created))
            }
        }
    }
}
