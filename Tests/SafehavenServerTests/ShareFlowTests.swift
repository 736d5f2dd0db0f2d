import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCLI
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

@Suite struct ShareFlowTests {
    @Test(arguments: TestDatabase.available)
    func sendReceiveTrackRevokeAndVerify(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let content = Data(SeededRandomSource(seed: 5).bytes(300_000))
            let sent = try await api.send(token: alice, API.share(), files: [("minutes.pdf", content)])
            #expect(sent.status == .created)
            let id = try #require(sent.json["id"] as? String)
            let file = try #require((sent.json["files"] as? [[String: Any]])?.first)
            let fileID = try #require(file["id"] as? String)
            #expect(file["size"] as? Int == content.count)
            #expect(file["sha256"] as? String == Encoding.hex(SHA256.hash(data: content)))
            #expect(try sent.json["message"] as? String == "Papers for Thursday's meeting.")
            #expect(try sent.json["status"] as? String == "active")

            let inbox = try await api.call(.get, "/api/v1/inbox", token: bob)
            #expect(try (inbox.json["shares"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let sentList = try await api.call(.get, "/api/v1/sent", token: alice)
            #expect(try (sentList.json["shares"] as? [[String: Any]])?.count == 1)
            #expect(try await api.call(.get, "/api/v1/inbox", token: alice).json["shares"] as? [Any] != nil)

            env.clock.advance(60)
            let opened = try await api.call(.get, "/api/v1/shares/\(id)", token: bob)
            #expect(opened.status == .ok)
            #expect(try opened.json["handling"] as? String == "Do not forward.")
            #expect(try (opened.json["sender"] as? [String: Any])?["organisation"] as? String == "Merton Council")
            env.clock.advance(60)
            let download = try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob)
            #expect(download.status == .ok)
            #expect(Data(download.bytes) == content)
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"minutes.pdf\"; filename*=UTF-8''minutes.pdf")
            _ = try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob)

            let tracking = try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: alice)
            let events = try ((tracking.json["recipients"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])?.map { $0["type"] as? String }
            #expect(events == ["announced", "opened", "downloaded", "downloaded"])
            #expect(try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: bob).status == .forbidden)

            #expect(try await api.call(.post, "/api/v1/shares/\(id)/revoke", token: bob).status == .forbidden)
            let revoked = try await api.call(.post, "/api/v1/shares/\(id)/revoke", token: alice)
            #expect(revoked.status == .ok)
            #expect(try revoked.json["status"] as? String == "revoked")
            let gone = try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob)
            #expect(gone.status == .gone)
            #expect(gone.errorCode == "share_revoked")
            #expect(try await api.call(.get, "/api/v1/shares/\(id)", token: bob).status == .gone)
            let afterRevoke = try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: alice)
            let lastEvents = try ((afterRevoke.json["recipients"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])?.map { $0["type"] as? String }
            #expect(lastEvents?.suffix(2) == ["revoked", "destroyed"])
            #expect(env.runtime.blobs.count() == 0)

            // The running service signs every half minute; in-process the test signs.
            try await env.runtime.audit.checkpoint()
            let outcome = try await env.runtime.audit.verify()
            guard case .ok(let report) = outcome else { Issue.record("audit chain broken: \(outcome)"); return }
            #expect(report.events > 10)
        }
    }

    @Test(arguments: TestDatabase.available)
    func outsidersGetNotFoundForEverything(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let carol = try await api.login("carol@sutton.gov.uk", TestEnvironment.carolPassword)
            let sent = try await api.send(token: alice, API.share(), files: [("a.txt", Data("x".utf8))])
            let id = try #require(sent.json["id"] as? String)
            let fileID = try #require((sent.json["files"] as? [[String: Any]])?.first?["id"] as? String)
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/shares/\(id)"), (.get, "/api/v1/shares/\(id)/files/\(fileID)"),
                                   (.get, "/api/v1/shares/\(id)/tracking"), (.post, "/api/v1/shares/\(id)/receipt"),
                                   (.post, "/api/v1/shares/\(id)/revoke"), (.delete, "/api/v1/shares/\(id)"),
                                   (.get, "/api/v1/shares/no-such-share"), (.get, "/api/v1/shares/\(id)/files/nope")] {
                let reply = try await api.call(method, path, token: carol)
                #expect(reply.status == .notFound, "\(method) \(path)")
                #expect(reply.errorCode == "not_found")
            }
            #expect(try await api.call(.get, "/api/v1/shares/\(id)/files/nope", token: alice).status == .notFound)
            let inbox = try await api.call(.get, "/api/v1/inbox", token: carol)
            #expect(try (inbox.json["shares"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func viewOnlyBlocksRecipientDownloadsButNotTheMessage(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let sent = try await api.send(token: alice, API.share(["viewOnly": true]), files: [("a.txt", Data("x".utf8))])
            let id = try #require(sent.json["id"] as? String)
            let fileID = try #require((sent.json["files"] as? [[String: Any]])?.first?["id"] as? String)
            let reply = try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "view_only")
            #expect(try await api.call(.get, "/api/v1/shares/\(id)", token: bob).json["message"] as? String == "Papers for Thursday's meeting.")
            #expect(try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: alice).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func expiryStopsReadingAtOnceAndTheJobDestroysContent(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let expires = ISODate.format(env.clock.now().addingTimeInterval(3600))
            let sent = try await api.send(token: alice, API.share(["expiresAt": expires]), files: [("a.txt", Data("x".utf8))])
            let id = try #require(sent.json["id"] as? String)
            let fileID = try #require((sent.json["files"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob).status == .ok)
            env.clock.advance(3599)
            #expect(try await api.runtimeExpire() == 0)
            env.clock.advance(1)
            let reply = try await api.call(.get, "/api/v1/shares/\(id)/files/\(fileID)", token: bob)
            #expect(reply.status == .gone)
            #expect(reply.errorCode == "share_expired")
            #expect(env.runtime.blobs.count() == 1)
            #expect(try await api.runtimeExpire() == 1)
            #expect(env.runtime.blobs.count() == 0)
            #expect(try await api.runtimeExpire() == 0)
            let tracking = try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: alice)
            let events = try ((tracking.json["recipients"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])?.map { $0["type"] as? String }
            #expect(events?.suffix(2) == ["expired", "destroyed"])
            #expect(try tracking.json["status"] as? String == "expired")
            let share = try await env.store.read { try await $0.share(id: id) }
            #expect(share?.wrappedKey == nil && share?.messageSealed == nil && share?.destroyedAt != nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func receiptReplyAndDeletion(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let sent = try await api.send(token: alice, API.share(["requireReceipt": true]))
            let id = try #require(sent.json["id"] as? String)
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/receipt", token: alice).status == .forbidden)
            let receipt = try await api.call(.post, "/api/v1/shares/\(id)/receipt", token: bob)
            #expect(receipt.status == .ok)
            #expect(try receipt.json["receiptConfirmedAt"] as? String == ISODate.format(env.clock.now()))
            env.clock.advance(10)
            #expect(try await api.call(.post, "/api/v1/shares/\(id)/receipt", token: bob).json["receiptConfirmedAt"] as? String
                    == receipt.json["receiptConfirmedAt"] as? String)

            let reply = try await api.send(token: bob, ["message": "Thanks, noted."], files: [("notes.txt", Data("n".utf8))],
                                           to: "/api/v1/shares/\(id)/replies")
            #expect(reply.status == .created)
            #expect(try reply.json["recipients"] as? [String] == ["alice@merton.gov.uk"])
            #expect(try reply.json["subject"] as? String == "Re: Strategy meeting papers")
            #expect(try reply.json["threadId"] as? String == id)
            #expect(try reply.json["parentId"] as? String == id)
            let aliceInbox = try await api.call(.get, "/api/v1/inbox", token: alice)
            #expect(try (aliceInbox.json["shares"] as? [[String: Any]])?.first?["id"] as? String == reply.json["id"] as? String)
            #expect(try await api.send(token: alice, ["message": "x"], to: "/api/v1/shares/\(id)/replies").status == .forbidden)

            let tracking = try await api.call(.get, "/api/v1/shares/\(id)/tracking", token: alice)
            let events = try ((tracking.json["recipients"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])?.map { $0["type"] as? String }
            #expect(events == ["announced", "receipt_confirmed", "replied"])

            #expect(try await api.call(.delete, "/api/v1/shares/\(id)", token: bob).status == .noContent)
            #expect((try await api.call(.get, "/api/v1/inbox", token: bob).json["shares"] as? [Any])?.isEmpty == true)
            #expect(try await api.call(.get, "/api/v1/shares/\(id)", token: bob).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/shares/\(id)", token: alice).status == .ok)

            #expect(try await api.call(.delete, "/api/v1/shares/\(id)", token: alice).status == .noContent)
            let after = try await api.call(.get, "/api/v1/shares/\(id)", token: alice)
            #expect(try after.json["status"] as? String == "destroyed")
            #expect(try after.json["message"] is NSNull)
        }
    }
}

extension API {
    func runtimeExpire() async throws -> Int { try await env.runtime.shares.expireDue() }
}
