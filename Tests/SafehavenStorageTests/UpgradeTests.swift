import Foundation
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// A database written by the previous release (migrations 1–5, every addressee an account)
/// upgrades in place and reads the same afterwards.
@Suite struct UpgradeTests {
    @Test(arguments: TestDatabase.available)
    func sharesFromBeforeAddresseesCouldLackAccountsSurviveTheUpgrade(db: TestDatabase) async throws {
        try await TestEnvironment.with(db, migrate: false) { env in
            let old = Migrator(backend: env.store.backend, migrations: Array(Migrations.all.prefix(5)))
            try await old.migrate(now: env.clock.now())
            // Rows as the previous release wrote them.
            for sql in [
                "INSERT INTO organisations (id, name, switchboard, address, created_at) VALUES ('o1', 'Merton Council', '1', 'a', 0)",
                "INSERT INTO organisation_domains (domain, organisation_id) VALUES ('merton.gov.uk', 'o1')",
                """
                INSERT INTO users (id, organisation_id, email, name, job_title, department, phone, roles, password_hash, totp_secret,
                    totp_enabled, totp_last_counter, failed_logins, last_failed_at, locked_until, disabled, created_at)
                VALUES ('u1', 'o1', 'alice@merton.gov.uk', 'Alice', 'SW', '', '1', 'practitioner', 'x', NULL, 0, NULL, 0, NULL, NULL, 0, 0),
                       ('u2', 'o1', 'bob@merton.gov.uk', 'Bob', 'SW', '', '2', 'practitioner', 'x', NULL, 0, NULL, 0, NULL, NULL, 0, 0)
                """,
                """
                INSERT INTO shares (id, sender_id, sender_org_id, subject, message_sealed, wrapped_key, marking, legacy_marking, purpose,
                    handling, view_only, require_receipt, created_at, expires_at, revoked_at, expired_at, destroyed_at, parent_id, thread_id)
                VALUES ('s1', 'u1', 'o1', 'First', NULL, 'k', 'OFFICIAL', NULL, 'p', '', 0, 0, 1000, 9999999999999, NULL, NULL, NULL, NULL, 's1'),
                       ('s2', 'u1', 'o1', 'Second', NULL, 'k', 'OFFICIAL', NULL, 'p', '', 0, 0, 2000, 9999999999999, NULL, NULL, NULL, NULL, 's2')
                """,
                """
                INSERT INTO share_recipients (id, share_id, user_id, email, receipt_at, deleted_at)
                VALUES ('r1', 's1', 'u2', 'bob@merton.gov.uk', NULL, NULL), ('r2', 's2', 'u2', 'bob@merton.gov.uk', 5000, NULL)
                """,
                "INSERT INTO tracking_events (id, share_id, recipient_id, type, at) VALUES ('t1', 's1', 'r1', 'opened', 1500)",
            ] {
                try await env.store.execute(sql)
            }
            let applied = try await env.runtime.migrator.migrate(now: env.clock.now())
            #expect(applied.map(\.version) == Array(6...Migrations.all.count))
            let page = try await env.store.read { db in
                try await db.shares(ShareListQuery(box: .inbox, userID: "u2", limit: 10, now: Date(timeIntervalSince1970: 10)))
            }
            #expect(page.items.map(\.share.id) == ["s2", "s1"])
            #expect(page.items.map(\.unread) == [true, false])
            #expect(page.total == 2)
            let recipients = try await env.store.read { try await $0.recipients(shareID: "s2") }
            #expect(recipients.map(\.userID) == ["u2"])
            #expect(recipients.first?.receiptAt == Date(timeIntervalSince1970: 5))
            // An addressee without an account can now be recorded, and the same address cannot be added twice.
            try await env.store.write { tx in
                try await tx.insert(Recipient(id: "r3", shareID: "s2", userID: nil, email: "carol@sutton.gov.uk"))
            }
            await #expect(throws: (any Error).self) {
                try await env.store.write { tx in
                    try await tx.insert(Recipient(id: "r4", shareID: "s2", userID: nil, email: "carol@sutton.gov.uk"))
                }
            }
            #expect(try await env.store.read { try await $0.recipients(shareID: "s2") }.map(\.email) == ["bob@merton.gov.uk", "carol@sutton.gov.uk"])
        }
    }
}
