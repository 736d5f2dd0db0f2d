import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SafehavenCLI
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Every kind of bad request gets a clear error and leaves nothing behind.
@Suite struct BadInputTests {
    func nothingStored(_ env: TestEnvironment, by sender: User) async throws {
        let shares = try await env.store.read { db in
            try await db.shares(ShareListQuery(box: .sent, userID: sender.id, limit: 10, now: Date()))
        }
        #expect(shares.items.isEmpty)
        #expect(shares.total == 0)
        #expect(env.runtime.blobs.count() == 0)
        #expect(env.runtime.blobs.partialCount() == 0)
    }

    @Test(arguments: TestDatabase.available)
    func malformedSharesAreRefusedWithoutTrace(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let file = [("a.pdf", Data(repeating: 7, count: 200_000))]
            let cases: [([String: Any], String)] = [
                (API.share(to: ["someone@nhs-net.co.uk"]), "lookalike_invitation"),
                (API.share(to: []), "invalid_recipients"),
                (API.share(to: ["not an address"]), "invalid_recipients"),
                (API.share(to: ["alice@merton.gov.uk"]), "invalid_recipients"),
                (API.share(["marking": "SECRET"]), "invalid_marking"),
                (API.share(["marking": "PURPLE"]), "invalid_marking"),
                (API.share(["subject": ""]), "invalid_subject"),
                (API.share(["subject": String(repeating: "x", count: 201)]), "invalid_subject"),
                (API.share(["subject": "two\nlines"]), "invalid_subject"),
                (API.share(["purpose": " "]), "invalid_purpose"),
                (API.share(["expiresAt": "tomorrow"]), "invalid_expires_at"),
                (API.share(["expiresAt": "2001-01-01T00:00:00Z"]), "invalid_expires_at"),
                (API.share(["expiresAt": "2099-01-01T00:00:00Z"]), "invalid_expires_at"),
                (API.share(["viewOnly": "yes"]), "invalid_view_only"),
                (API.share(["recipients": "bob@nhs.net"]), "invalid_recipients"),
            ]
            for (share, code) in cases {
                let reply = try await api.send(token: alice, share, files: file)
                #expect(reply.status == .unprocessableContent, "\(code)")
                #expect(reply.errorCode == code)
            }
            try await nothingStored(env, by: people.alice)
        }
    }

    @Test(arguments: TestDatabase.available)
    func malformedMultipartIsRefused(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            func post(_ body: Data, _ contentType: String?) async throws -> API.Reply {
                try await api.call(.post, "/api/v1/shares", token: alice, body: body, contentType: contentType)
            }
            // JSON is the share's details alone (files come from a draft): empty details are refused field by field.
            #expect(try await post(Data("{}".utf8), "application/json").errorCode == "invalid_subject")
            #expect(try await post(Data("{".utf8), "application/json").status == .badRequest)
            #expect(try await post(Data("x".utf8), nil).errorCode == "malformed_multipart")
            #expect(try await post(Data("x".utf8), "multipart/form-data").errorCode == "malformed_multipart")
            #expect(try await post(Data("x".utf8), "multipart/form-data; boundary=").errorCode == "malformed_multipart")
            #expect(try await post(Data("x".utf8), "multipart/form-data; boundary=\(String(repeating: "b", count: 71))").errorCode == "malformed_multipart")
            var missingShare = MultipartBody()
            missingShare.add(name: "file", filename: "a.txt", Data("x".utf8))
            let noShare = try await post(missingShare.finished(), missingShare.contentType)
            #expect(noShare.status == .unprocessableContent)
            #expect(noShare.errorCode == "invalid_share")
            var badJSON = MultipartBody()
            badJSON.add(name: "share", Data("{not json".utf8))
            #expect(try await post(badJSON.finished(), badJSON.contentType).errorCode == "malformed_json")
            var stranger = MultipartBody()
            stranger.addJSON(API.share())
            stranger.add(name: "surprise", Data("x".utf8))
            #expect(try await post(stranger.finished(), stranger.contentType).errorCode == "malformed_multipart")
            var twoShares = MultipartBody()
            twoShares.addJSON(API.share())
            twoShares.addJSON(API.share())
            #expect(try await post(twoShares.finished(), twoShares.contentType).errorCode == "malformed_multipart")
            // A body cut off before its closing boundary.
            var cut = MultipartBody()
            cut.addJSON(API.share())
            cut.add(name: "file", filename: "a.txt", Data(repeating: 1, count: 100_000))
            let truncated = cut.finished().prefix(80_000)
            #expect(try await post(Data(truncated), cut.contentType).errorCode == "malformed_multipart")
            try await nothingStored(env, by: people.alice)
        }
    }

    @Test(arguments: TestDatabase.available)
    func oversizedSharesGet413AndLeaveNoBlob(db: TestDatabase) async throws {
        var limits = Limits()
        limits.maxShareBytes = 100_000
        try await withAPI(db, limits: limits) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let reply = try await api.send(token: alice, API.share(), files: [("a.bin", Data(repeating: 1, count: 60_000)),
                                                                            ("b.bin", Data(repeating: 2, count: 60_000))])
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "too_large")
            try await nothingStored(env, by: people.alice)
            let fits = try await api.send(token: alice, API.share(), files: [("a.bin", Data(repeating: 1, count: 99_000))])
            #expect(fits.status == .created)
        }
    }

    @Test(arguments: TestDatabase.available)
    func hostileFileNamesAreStoredSafelyAndServedSafely(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let names = ["../../etc/passwd", "..\\..\\boot.ini", "report\u{1}\u{7f}.pdf", String(repeating: "n", count: 1000) + ".pdf",
                         "x\"; filename=evil.exe", "<script>alert(1)</script>.html", "résumé 2026.pdf"]
            var multipart = MultipartBody()
            multipart.addJSON(API.share())
            for name in names { multipart.add(name: "file", filename: name, Data("x".utf8)) }
            let sent = try await api.call(.post, "/api/v1/shares", token: alice, body: multipart.finished(), contentType: multipart.contentType)
            #expect(sent.status == .created)
            let files = try #require(sent.json["files"] as? [[String: Any]])
            let stored = files.compactMap { $0["name"] as? String }
            #expect(stored.count == names.count)
            #expect(stored[0] == "passwd")
            #expect(stored[1] == "boot.ini")
            #expect(stored[2] == "report.pdf")
            #expect(stored[3].count == 200 && stored[3].hasSuffix(".pdf"))
            #expect(stored[5] == "script_.html")
            #expect(stored[6] == "résumé 2026.pdf")
            for name in stored { #expect(!name.contains("/") && !name.contains("\\") && !name.hasPrefix(".")) }
            let id = try #require(sent.json["id"] as? String)
            for file in files {
                let reply = try await api.call(.get, "/api/v1/shares/\(id)/files/\(file["id"] as! String)", token: bob)
                let disposition = try #require(reply.headers[.contentDisposition])
                #expect(disposition.hasPrefix("attachment; filename=\""))
                let quoted = disposition.split(separator: "\"")
                #expect(quoted.count == 3, "exactly one quoted name: \(disposition)")
                #expect(!disposition.contains("\r") && !disposition.contains("\n"))
                #expect(reply.headers[.contentType] == "application/octet-stream")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func authenticationErrors(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            for token in [nil, "", "shv_nonsense", "Basic abc", String(repeating: "x", count: 5000)] as [String?] {
                var reply = try await api.call(.get, "/api/v1/inbox", token: nil)
                if let token { reply = try await api.client.execute(uri: "/api/v1/inbox", method: .get, headers: [.authorization: token]) { r in
                    API.Reply(status: r.status, headers: r.headers, body: r.body) } }
                #expect(reply.status == .unauthorized)
                #expect(reply.errorCode == "unauthenticated")
                #expect(reply.headers[.wwwAuthenticate] == "Bearer")
            }
            let token = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await api.call(.get, "/api/v1/inbox", token: token).status == .ok)
            env.clock.advance(12 * 3600)
            #expect(try await api.call(.get, "/api/v1/inbox", token: token).status == .unauthorized)
            let fresh = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await api.call(.delete, "/api/v1/sessions/current", token: fresh).status == .noContent)
            #expect(try await api.call(.get, "/api/v1/inbox", token: fresh).status == .unauthorized)
            #expect(try await api.call(.post, "/api/v1/sessions", body: Data("nope".utf8), contentType: "application/json").errorCode == "malformed_json")
            #expect(try await api.call(.post, "/api/v1/sessions", json: ["email": "alice@merton.gov.uk"]).errorCode == "invalid_password")
            #expect(try await api.call(.post, "/api/v1/sessions", json: ["email": 3, "password": "x"]).status == .unprocessableContent)
        }
    }
}

/// Bodies that once stopped the whole server answer 400, and the server goes on answering.
@Suite struct ServerSurvivesTests {
    @Test(arguments: TestDatabase.available)
    func aHighByteInAPartHeaderIsRefused(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            var body = Array("--b\r\n".utf8) + [0x80] + Array("x: y\r\n\r\nz\r\n--b--\r\n".utf8)
            for path in ["/api/v1/shares", "/api/v1/shares/x-1/replies"] {
                let reply = try await api.call(.post, path, token: alice, body: Data(body), contentType: "multipart/form-data; boundary=b")
                #expect([400, 404].contains(reply.status.code), "\(path): \(reply.status)")
            }
            body = Array("--b\r\n".utf8) + [0xFF, 0xFE] + Array(": y\r\n\r\n".utf8)
            let cut = try await api.call(.post, "/api/v1/shares", token: alice, body: Data(body), contentType: "multipart/form-data; boundary=b")
            #expect(try cut.error().code == "malformed_multipart")
            #expect(try await api.call(.get, "/health").status == .ok)
            #expect(try await api.call(.get, "/api/v1/sent", token: alice).decode(ShareListReply.self).total == 0)
            #expect(env.runtime.blobs.count() == 0 && env.runtime.blobs.partialCount() == 0)
            _ = people
        }
    }
}
