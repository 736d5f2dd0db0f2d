import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Resumable uploads with tus 1.0 against the real router, on both databases: drafts, creation,
/// offsets, resuming, termination, expiry, limits, other people's uploads, and
/// sending a draft. The real tus client (tuspy) interrupted across a server restart is in
/// `scripts/tus-test`.
@Suite struct ResumableUploadTests {
    static let tus: HTTPFields = [HTTPField.Name("Tus-Resumable")!: "1.0.0"]

    static func headers(_ pairs: [String: String]) -> HTTPFields {
        var out = tus
        for (name, value) in pairs { out[HTTPField.Name(name)!] = value }
        return out
    }

    static func metadata(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0) \(Data($0.1.utf8).base64EncodedString())" }.joined(separator: ",")
    }

    static func sha256(_ data: Data) -> String {
        var digest = SHA256Digester()
        digest.update(data)
        return digest.finalizeHex()
    }

    static func bytes(_ n: Int, seed: Int) -> Data { Data((0..<n).map { UInt8(truncatingIfNeeded: ($0 &* 131) ^ ($0 >> 9) &+ seed) }) }

    /// Opens a draft and an upload of `length` bytes in it; returns the draft id and the upload's address.
    static func start(_ api: API, token: String, name: String, length: Int, draft: String? = nil) async throws -> (String, String) {
        var draftID = draft
        if draftID == nil {
            let created = try await api.call(.post, "/api/v1/drafts", token: token)
            #expect(created.status == .created)
            draftID = try created.decode(DraftReply.self).id
        }
        let upload = try await api.call(.post, "/api/v1/uploads", token: token, headers: headers([
            "Upload-Length": String(length), "Upload-Metadata": metadata([("draft", draftID!), ("filename", name), ("filetype", "text/csv")])]))
        #expect(upload.status == .created, "\(String(buffer: upload.body))")
        #expect(upload.headers[HTTPField.Name("Upload-Expires")!] != nil)
        return (draftID!, try #require(upload.headers[.location]))
    }

    static func patch(_ api: API, token: String, _ location: String, offset: Int, _ data: Data) async throws -> API.Reply {
        try await api.call(.patch, location, token: token, body: data, contentType: "application/offset+octet-stream",
                           headers: headers(["Upload-Offset": String(offset)]))
    }

    static func offset(_ reply: API.Reply) -> Int? { reply.headers[HTTPField.Name("Upload-Offset")!].flatMap(Int.init) }

    @Test(arguments: TestDatabase.available)
    func aFileUploadedInPiecesIsSentWholeAndEveryByteReceivedCounts(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            // What the server speaks, asked without signing in; other versions are refused with the one it speaks.
            let options = try await api.call(.options, "/api/v1/uploads")
            #expect(options.status == .noContent && options.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            #expect(options.headers[HTTPField.Name("Tus-Extension")!] == "creation,expiration,termination")
            let old = try await api.call(.post, "/api/v1/uploads", token: alice, headers: [HTTPField.Name("Tus-Resumable")!: "0.2.2"])
            #expect(old.status == .preconditionFailed && old.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")

            let data = Self.bytes(200_000 + 123, seed: 1)
            let (draft, location) = try await Self.start(api, token: alice, name: "minutes.pdf", length: data.count)
            // 100,000 bytes arrive (a chunk and a bit): all of them are kept, the part-chunk sealed on its own.
            let first = try await Self.patch(api, token: alice, location, offset: 0, data[0..<100_000])
            #expect(first.status == .noContent && Self.offset(first) == 100_000)
            let head = try await api.call(.head, location, token: alice, headers: Self.tus)
            #expect(head.status == .ok && Self.offset(head) == 100_000 && head.headers[HTTPField.Name("Upload-Length")!] == String(data.count))
            #expect(head.headers[.cacheControl] == "no-store")
            // The wrong offset, the wrong type, bytes past the end: refused, nothing changes.
            #expect(try await Self.patch(api, token: alice, location, offset: 65_536, data[65_536...]).errorCode == "offset_mismatch")
            let wrongType = try await api.call(.patch, location, token: alice, body: data[100_000...], contentType: "application/octet-stream",
                                               headers: Self.headers(["Upload-Offset": "100000"]))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(try await Self.patch(api, token: alice, location, offset: 100_000, data[100_000...] + Data([1])).errorCode == "past_upload_length")
            // Someone else sees nothing of it, and cannot add to it, stop it, or send its draft.
            #expect(try await api.call(.head, location, token: bob, headers: Self.tus).status == .notFound)
            #expect(try await Self.patch(api, token: bob, location, offset: 100_000, data[100_000...]).status == .notFound)
            #expect(try await api.call(.delete, location, token: bob, headers: Self.tus).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/drafts/\(draft)", token: bob).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/shares?draft=\(draft)", token: bob, json: API.share(to: ["alice@merton.gov.uk"])).status == .notFound)
            // Sending before the file is whole says which file is still on its way.
            let early = try await api.call(.post, "/api/v1/shares?draft=\(draft)", token: alice, json: API.share())
            #expect(early.errorCode == "uploads_incomplete")
            // The rest, in two requests; the last completes the file after reading it back.
            let second = try await Self.patch(api, token: alice, location, offset: 100_000, data[100_000..<150_000])
            #expect(Self.offset(second) == 150_000)
            let last = try await Self.patch(api, token: alice, location, offset: 150_000, data[150_000...])
            #expect(last.status == .noContent && Self.offset(last) == data.count)
            let shown = try await api.call(.get, "/api/v1/drafts/\(draft)", token: alice).decode(DraftReply.self)
            #expect(shown.uploads.count == 1 && shown.uploads[0].complete && shown.uploads[0].sha256 == Self.sha256(data))
            // Sent with JSON details: the share is the draft, the file arrives byte for byte.
            let sent = try await api.call(.post, "/api/v1/shares?draft=\(draft)", token: alice, json: API.share())
            #expect(sent.status == .created, "\(String(buffer: sent.body))")
            let share = try sent.decode(ShareDetailReply.self)
            #expect(share.id == draft && share.files.map(\.name) == ["minutes.pdf"] && share.files[0].size == Int64(data.count))
            let download = try await api.call(.get, "/api/v1/shares/\(share.id)/files/\(share.files[0].id)", token: bob)
            #expect(download.status == .ok && Data(download.bytes) == data)
            // The draft is used up: gone, and cannot be sent twice.
            #expect(try await api.call(.get, "/api/v1/drafts/\(draft)", token: alice).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/shares?draft=\(draft)", token: alice, json: API.share()).status == .notFound)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM uploads") == 0)
            let blobs = try env.runtime.blobs.count()
            #expect(blobs == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func limitsHoldAndWhatIsAbandonedOrStoppedLeavesNothing(db: TestDatabase) async throws {
        var limits = Limits()
        limits.maxShareBytes = 300_000
        limits.maxOpenDrafts = 3
        let hours = limits.uploadHours
        try await withAPI(db, limits: limits) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            // A file larger than a share may be, and files together larger, are refused when created.
            let (draft, first) = try await Self.start(api, token: alice, name: "a.bin", length: 200_000)
            let tooBig = try await api.call(.post, "/api/v1/uploads", token: alice, headers: Self.headers([
                "Upload-Length": "300001", "Upload-Metadata": Self.metadata([("draft", draft), ("filename", "b.bin")])]))
            #expect(tooBig.status == .contentTooLarge)
            let together = try await api.call(.post, "/api/v1/uploads", token: alice, headers: Self.headers([
                "Upload-Length": "100001", "Upload-Metadata": Self.metadata([("draft", draft), ("filename", "b.bin")])]))
            #expect(together.status == .contentTooLarge)
            // Bad headers are clear errors.
            for (headers, code) in [(["Upload-Length": "-1", "Upload-Metadata": Self.metadata([("draft", draft)])], "bad_upload_length"),
                                    (["Upload-Length": "10", "Upload-Metadata": "draft !!!"], "bad_upload_metadata"),
                                    (["Upload-Length": "10"], "draft_required"),
                                    (["Upload-Defer-Length": "1", "Upload-Metadata": Self.metadata([("draft", draft)])], "length_required")] {
                #expect(try await api.call(.post, "/api/v1/uploads", token: alice, headers: Self.headers(headers)).errorCode == code)
            }
            // Part of the first file arrives; then it is stopped: nothing of it is left, and its room is given back.
            _ = try await Self.patch(api, token: alice, first, offset: 0, Self.bytes(140_000, seed: 2))
            #expect(try await api.call(.delete, first, token: alice, headers: Self.tus).status == .noContent)
            #expect(try await api.call(.head, first, token: alice, headers: Self.tus).status == .notFound)
            let uploadsDir = env.directoryURL.appendingPathComponent("uploads")
            #expect(try FileManager.default.contentsOfDirectory(atPath: uploadsDir.path).isEmpty)
            let (_, again) = try await Self.start(api, token: alice, name: "c.bin", length: 300_000, draft: draft)
            _ = try await Self.patch(api, token: alice, again, offset: 0, Self.bytes(70_000, seed: 3))
            // At most three drafts open at once.
            _ = try await Self.start(api, token: alice, name: "d.bin", length: 1)
            _ = try await Self.start(api, token: alice, name: "e.bin", length: 1)
            #expect(try await api.call(.post, "/api/v1/drafts", token: alice).errorCode == "too_many_drafts")
            // A day without progress: the background job deletes drafts, uploads and bytes.
            env.clock.advance(Double(hours) * 3600 + 1)
            let later = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            #expect(try await api.call(.head, again, token: later, headers: Self.tus).status == .notFound)
            #expect(try await UploadService(env.runtime.deps).expireDue() == 3)
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM upload_drafts") == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: uploadsDir.path).isEmpty)
            #expect(try await api.call(.post, "/api/v1/drafts", token: later).status == .created)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCSVOfFiftyNHSNumbersUploadedResumablyIsBulkData(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            try await env.consentedSubject("COHORT-9", for: people, manager: true)
            let csv = UploadScanTests.csv(UploadScanTests.nhsNumbers(50), padding: 2000)
            let (draft, location) = try await Self.start(api, token: alice, name: "cohort.csv", length: csv.count)
            // Pieces smaller than a chunk (some clients send 5 MB or less at a time) each move the offset on.
            var offset = 0
            while offset < csv.count {
                let reply = try await Self.patch(api, token: alice, location, offset: offset, csv[offset..<min(offset + 40_000, csv.count)])
                let next = try #require(Self.offset(reply), "\(String(buffer: reply.body))")
                try #require(next == min(offset + 40_000, csv.count))
                offset = next
            }
            let sent = try await api.call(.post, "/api/v1/shares?draft=\(draft)", token: alice,
                                          json: API.share(["basis": "consent", "caseReferences": ["COHORT-9"]]))
            let status = try sent.json["status"] as? String
            #expect(sent.status == .created && status == "pending_authorisation")
            let notes = try await env.store.read { try await $0.share(id: draft) }?.policyNotes ?? ""
            #expect(notes.contains("\"identifiersInFiles\":50"))
        }
    }

    @Test(.enabled(if: MalwareScanTests.clamd != nil), arguments: TestDatabase.available)
    func anInfectedFileUploadedResumablyIsRefusedAndAudited(db: TestDatabase) async throws {
        let address = try #require(MalwareScanTests.clamd)
        try await withAPI(db, configure: { $0.clamd = address }) { api, env, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let data = MalwareScanTests.random(150_000, seed: 5) + MalwareScanTests.eicar + MalwareScanTests.random(10_000, seed: 6)
            let (draft, location) = try await Self.start(api, token: alice, name: "bundle.pdf", length: data.count)
            let part = try await Self.patch(api, token: alice, location, offset: 0, data[0..<140_000])
            let refused = try await Self.patch(api, token: alice, location, offset: Self.offset(part) ?? 0, data[(Self.offset(part) ?? 0)...])
            #expect(refused.errorCode == "malware_found")
            #expect(try refused.error().message.contains("bundle.pdf"))
            #expect(try await api.call(.head, location, token: alice, headers: Self.tus).status == .notFound)
            let refusals = try await env.store.read { try await $0.auditEvents(after: 0, limit: 500) }.filter { $0.action == "share.malware_refused" }
            #expect(refusals.count == 1 && refusals[0].targetID == draft && !refusals[0].details.contains("bundle.pdf"))
            #expect(try env.runtime.blobs.count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func progressRecordedBeforeACrashIsRecoveredWhicheverStepTheCrashInterrupted(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let uploads = UploadService(env.runtime.deps)
            let data = [UInt8](Self.bytes(300_000, seed: 9))
            let draft = try await uploads.createDraft(by: people.alice)
            let upload = try await uploads.create(in: draft.id, name: "scan.pdf", contentType: "application/pdf", length: Int64(data.count), by: people.alice)
            // 100,000 bytes recorded: a whole chunk and a part-chunk sealed beside it.
            let first = try await uploads.append(to: upload.id, at: 0, by: people.alice)
            try await first.write(data[0..<100_000])
            #expect(try await first.end().offset == 100_000)
            // More arrives and is written (three whole chunks now, and a new part-chunk), but the process
            // dies before the database records it: the record still says 100,000.
            let second = try await uploads.append(to: upload.id, at: 100_000, by: people.alice)
            try await second.write(data[100_000..<200_000])
            #expect(try await second.end().offset == 200_000)
            try await env.store.execute("UPDATE uploads SET received = 100000 WHERE id = '\(upload.id)'")
            // Resuming from 100,000 takes the missing part-chunk from the sealed chunk itself, and the file arrives whole.
            let third = try await uploads.append(to: upload.id, at: 100_000, by: people.alice)
            try await third.write(data[100_000...])
            let done = try await third.end()
            #expect(done.isComplete && done.sha256 == Self.sha256(Data(data)))
            // A second request for an upload already being written is told so, never interleaved.
            let other = try await uploads.create(in: draft.id, name: "b.bin", contentType: "", length: 10, by: people.alice)
            let holder = try await uploads.append(to: other.id, at: 0, by: people.alice)
            await #expect(throws: SafehavenError.self) { _ = try await uploads.append(to: other.id, at: 0, by: people.alice) }
            try await holder.write([1, 2, 3])
            #expect(try await holder.end().offset == 3)
        }
    }
}
