import Foundation
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Inbox and sent items: one page costs the same few queries whatever the list holds, pages
/// never overlap or skip, and filters and totals agree.
@Suite struct ShareListTests {
    /// `count` shares from Alice to Bob, one second apart, written straight into the store.
    func seed(_ env: TestEnvironment, _ people: TestEnvironment.People, count: Int) async throws -> [String] {
        let start = env.clock.now()
        let ids = (0..<count).map { String(format: "s-%05d", $0) }
        let key = KeyEncryptionKey.newDataKey(random: env.deps.random)
        let wrapped = try env.deps.kek.wrap(key)
        let sealed = try Dictionary(uniqueKeysWithValues: ids.map { id in
            (id, Data(try StreamSealer.seal(Array("Papers.".utf8), dataKey: key, binding: .message(share: id), random: env.deps.random))
                .base64EncodedString())
        })
        try await env.store.write { tx in
            for (n, id) in ids.enumerated() {
                let share = Share(id: id, senderID: people.alice.id, senderOrganisationID: people.alice.organisationID,
                                  subject: "Papers \(n)", messageSealed: sealed[id], wrappedKey: wrapped, marking: .officialSensitive,
                                  legacyMarking: nil, purpose: "Strategy discussion", handling: "", viewOnly: false,
                                  requireReceipt: false, createdAt: start.addingTimeInterval(TimeInterval(n)),
                                  expiresAt: start.addingTimeInterval(86_400 * 30), parentID: nil, threadID: id)
                try await tx.insert(share)
                try await tx.insert(Recipient(id: "r-\(id)", shareID: id, userID: people.bob.id, email: people.bob.email))
            }
        }
        return ids
    }

    @Test(arguments: TestDatabase.available)
    func aPageCostsTheSameQueriesForTenSharesOrAThousand(db: TestDatabase) async throws {
        var counts: [Int] = []
        for size in [10, 1000] {
            try await TestEnvironment.with(db) { env in
                let people = try await env.seedPeople()
                _ = try await seed(env, people, count: size)
                for box in [ShareListQuery.Box.inbox, .sent] {
                    let user = box == .inbox ? people.bob : people.alice
                    env.queries.reset()
                    let page = try await env.runtime.shares.list(box, for: user, limit: 50)
                    counts.append(env.queries.value)
                    #expect(page.total == size)
                    #expect(page.items.count == min(50, size))
                }
            }
        }
        #expect(counts.allSatisfy { $0 <= 2 }, "queries per page: \(counts)")
        #expect(Set(counts).count == 1, "queries per page differ with size: \(counts)")
    }

    @Test(arguments: TestDatabase.available)
    func pagesWalkTheWholeListNewestFirstWithoutOverlap(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let ids = try await seed(env, people, count: 23)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await env.runtime.shares.list(.inbox, for: people.bob, limit: 5, cursor: cursor)
                #expect(page.total == 23)
                #expect(page.items.allSatisfy { $0.recipients == [people.bob.email] && $0.sender.organisation == "Merton Council" })
                seen += page.items.map(\.share.id)
                cursor = page.next?.token
            } while cursor != nil
            #expect(seen == ids.reversed())
        }
    }

    @Test(arguments: TestDatabase.available)
    func filtersByStatusAndUnread(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let ids = try await seed(env, people, count: 4)
            let shares = env.runtime.shares
            // One withdrawn, one opened, one past its expiry.
            _ = try await shares.revoke(ids[0], by: people.alice)
            _ = try await shares.open(ids[1], by: people.bob)
            let now = env.clock.now(), expiring = ids[2]
            #expect(try await env.store.write { tx in try await tx.markExpired(shareID: expiring, at: now) })
            func list(_ status: String?, unread: Bool = false) async throws -> [String] {
                try await shares.list(.inbox, for: people.bob, status: status, unreadOnly: unread).items.map(\.share.id)
            }
            #expect(try await list("revoked") == [ids[0]])
            #expect(try await list("expired") == [ids[2]])
            #expect(try await list("active") == [ids[3], ids[1]])
            #expect(try await list(nil, unread: true) == [ids[3], ids[2], ids[0]])
            #expect(try await list("active", unread: true) == [ids[3]])
            let page = try await shares.list(.inbox, for: people.bob)
            #expect(page.items.first { $0.share.id == ids[1] }?.unread == false)
            #expect(page.items.first { $0.share.id == ids[3] }?.unread == true)
            // Carol sees nothing of Bob's inbox or Alice's sent items.
            #expect(try await shares.list(.inbox, for: people.carol).total == 0)
            #expect(try await shares.list(.sent, for: people.carol).total == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func badParametersAreRefusedByCode(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            let shares = env.runtime.shares
            typealias Call = @Sendable () async throws -> Void
            let calls: [(Call, String)] = [
                ({ _ = try await shares.list(.inbox, for: people.bob, limit: 0) }, "invalid_limit"),
                ({ _ = try await shares.list(.inbox, for: people.bob, limit: 201) }, "invalid_limit"),
                ({ _ = try await shares.list(.inbox, for: people.bob, status: "deleted") }, "invalid_status"),
                ({ _ = try await shares.list(.inbox, for: people.bob, cursor: "not a cursor!") }, "invalid_cursor"),
                ({ _ = try await shares.list(.inbox, for: people.bob, cursor: "Zm9v") }, "invalid_cursor"),
                ({ _ = try await shares.list(.sent, for: people.bob, unreadOnly: true) }, "invalid_unread"),
            ]
            for (call, code) in calls {
                do {
                    try await call()
                    Issue.record("expected \(code)")
                } catch let error as SafehavenError {
                    #expect(error.code == code)
                }
            }
        }
    }
}

@Suite struct ShareListEdgeTests {
    @Test(arguments: TestDatabase.available)
    func emptyListsAndPagesPastTheEndStillReportTheTotal(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            let people = try await env.seedPeople()
            env.queries.reset()
            let empty = try await env.runtime.shares.list(.sent, for: people.bob)
            #expect(empty.items.isEmpty && empty.total == 0 && empty.next == nil)
            #expect(env.queries.value == 1)
            _ = try await env.runtime.shares.list(.inbox, for: people.bob)
            // A cursor older than everything: no items, but the total still counts the list.
            let upload = try await env.runtime.shares.beginUpload(sender: people.alice)
            try await env.runtime.shares.accept(ShareDraft(subject: "Papers", message: "m", recipients: ["bob@nhs.net"],
                                                           purpose: "Strategy discussion", basis: "no-personal-data"), into: upload)
            _ = try await env.runtime.shares.commit(upload)
            let past = ShareCursor(createdAt: Date(timeIntervalSince1970: 0), id: "a").token
            let beyond = try await env.runtime.shares.list(.inbox, for: people.bob, cursor: past)
            #expect(beyond.items.isEmpty && beyond.total == 1 && beyond.next == nil)
        }
    }
}
