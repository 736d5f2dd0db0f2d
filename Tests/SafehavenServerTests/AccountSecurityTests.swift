import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenCore
import SafehavenCrypto
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Sign-in throttling by source and address, and what people and administrators can change.
@Suite struct AccountSecurityTests {
    typealias Outcome = String

    /// One sign-in straight through the service, as from `source`; "ok" or the error code.
    func attempt(_ env: TestEnvironment, _ email: String, _ password: String, from source: String) async -> Outcome {
        do {
            _ = try await env.runtime.auth.login(email: email, password: password, totp: nil, source: source)
            return "ok"
        } catch let error as SafehavenError {
            return error.code + (error.retryAfter.map { "/\($0)" } ?? "")
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: TestDatabase.available)
    func aStrangerElsewhereCannotLockAPractitionerOut(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            var outcomes: [Outcome] = []
            for n in 0..<16 {
                outcomes.append(await attempt(env, "alice@merton.gov.uk", "guess-guess-guess", from: "203.0.113.5"))
                env.clock.advance(n % 2 == 0 ? 1 : 1100)
            }
            // The stranger's own source ends up locked out.
            #expect(outcomes.contains { $0.hasPrefix("account_locked") })
            // Alice, at her desk, waits at most the capped delay and is then let in.
            var mine = await attempt(env, "alice@merton.gov.uk", TestEnvironment.alicePassword, from: "198.51.100.7")
            if mine.hasPrefix("too_many_attempts") {
                let wait = Int(mine.split(separator: "/").last ?? "0") ?? 0
                #expect(wait <= env.deps.limits.maxDelayAnywhereSeconds)
                env.clock.advance(TimeInterval(wait))
                mine = await attempt(env, "alice@merton.gov.uk", TestEnvironment.alicePassword, from: "198.51.100.7")
            }
            #expect(mine == "ok")
        }
    }

    @Test(arguments: TestDatabase.available)
    func unknownAddressesGetExactlyTheSameAnswersAndThrottling(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            func run(_ email: String, source: String) async -> [Outcome] {
                var out: [Outcome] = []
                for step in 0..<18 {
                    out.append(await attempt(env, email, "wrong-password-\(step)", from: source))
                    env.clock.advance(step % 3 == 0 ? 0.5 : 1100)
                }
                env.clock.advance(86_400)
                return out
            }
            let real = await run("alice@merton.gov.uk", source: "192.0.2.1")
            let unknown = await run("nobody-here@merton.gov.uk", source: "192.0.2.2")
            #expect(real == unknown)
            #expect(real.contains { $0.hasPrefix("too_many_attempts") } && real.contains { $0.hasPrefix("account_locked") })
            // A disabled account looks the same too.
            let carol = try #require(try await env.store.read { try await $0.user(email: "carol@sutton.gov.uk") })
            try await env.runtime.auth.setDisabled(carol.id, true, by: nil)
            #expect(await run("carol@sutton.gov.uk", source: "192.0.2.3") == real)
        }
    }

    @Test(arguments: TestDatabase.available)
    func oneSourceSprayingManyAddressesIsSlowed(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            var outcomes: [Outcome] = []
            for n in 0..<40 { outcomes.append(await attempt(env, "person\(n)@merton.gov.uk", "guess-guess-guess", from: "192.0.2.9")) }
            #expect(outcomes.prefix(env.deps.limits.slowLoginsFromSource).allSatisfy { $0 == "invalid_credentials" })
            #expect(outcomes.dropFirst(env.deps.limits.slowLoginsFromSource).contains { $0.hasPrefix("too_many_attempts") })
        }
    }

    /// One office behind one address: many good sign-ins never slow anyone down, and counters
    /// untouched for a day are forgotten.
    @Test(arguments: TestDatabase.available)
    func goodSignInsFromOneSourceAreNeverThrottled(db: TestDatabase) async throws {
        try await TestEnvironment.with(db) { env in
            _ = try await env.seedPeople()
            for n in 0..<(env.deps.limits.slowLoginsFromSource + 10) {
                let (email, password) = n % 2 == 0 ? ("alice@merton.gov.uk", TestEnvironment.alicePassword)
                                                    : ("carol@sutton.gov.uk", TestEnvironment.carolPassword)
                #expect(await attempt(env, email, password, from: "192.0.2.50") == "ok")
            }
            _ = await attempt(env, "nobody@merton.gov.uk", "guess-guess-guess", from: "192.0.2.51")
            env.clock.advance(2 * 86_400)
            #expect(try await env.runtime.auth.pruneThrottle() >= 1)
            #expect(try await env.runtime.auth.pruneThrottle() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func passwordChangeEndsEveryOtherSession(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let first = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let second = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let wrong = try await api.call(.post, "/api/v1/account/password", token: second,
                                           json: ["currentPassword": "not-it-at-all-1", "newPassword": "amber-meadow-quartz-77"])
            #expect(wrong.status == .forbidden && wrong.errorCode == "password_required")
            let weak = try await api.call(.post, "/api/v1/account/password", token: second,
                                          json: ["currentPassword": TestEnvironment.alicePassword, "newPassword": "password123"])
            #expect(weak.status == .unprocessableContent)
            let changed = try await api.call(.post, "/api/v1/account/password", token: second,
                                             json: ["currentPassword": TestEnvironment.alicePassword, "newPassword": "amber-meadow-quartz-77"])
            #expect(changed.status == .ok)
            #expect(try await api.call(.get, "/api/v1/account", token: first).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/account", token: second).status == .ok)
            #expect(try await api.call(.post, "/api/v1/sessions", json: ["email": "alice@merton.gov.uk", "password": TestEnvironment.alicePassword])
                .status == .unauthorized)
            _ = try await api.login("alice@merton.gov.uk", "amber-meadow-quartz-77")
        }
    }

    @Test(arguments: TestDatabase.available)
    func peopleListAndRevokeTheirOwnTokensOnly(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let laptop = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            struct Tokens: Decodable { struct T: Decodable { let id: String; let kind: String; let current: Bool }; let tokens: [T] }
            let mine = try await api.call(.get, "/api/v1/account/tokens", token: alice).decode(Tokens.self).tokens
            #expect(mine.count == 2 && mine.filter(\.current).count == 1)
            #expect(!String(buffer: try await api.call(.get, "/api/v1/account/tokens", token: alice).body).contains("shv_"))
            let other = try #require(mine.first { !$0.current })
            // Bob cannot see or end Alice's token.
            #expect(try await api.call(.delete, "/api/v1/account/tokens/\(other.id)", token: bob).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/account", token: laptop).status == .ok)
            #expect(try await api.call(.delete, "/api/v1/account/tokens/\(other.id)", token: alice).status == .noContent)
            #expect(try await api.call(.get, "/api/v1/account", token: laptop).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/account/tokens", token: alice).decode(Tokens.self).tokens.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func turningTheSecondFactorOffAsksForThePassword(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            #expect(try await api.enableTOTP(token: bob, password: TestEnvironment.bobPassword).1.status == .ok)
            let wrong = try await api.call(.post, "/api/v1/account/totp/disable", token: bob, json: ["password": "not-my-password-2"])
            #expect(wrong.status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/account", token: bob).json["totpEnabled"] as? Bool == true)
            #expect(try await api.call(.post, "/api/v1/account/totp/disable", token: bob, json: ["password": TestEnvironment.bobPassword]).status == .ok)
            #expect(try await api.call(.get, "/api/v1/account", token: bob).json["totpEnabled"] as? Bool == false)
        }
    }

    @Test(arguments: TestDatabase.available)
    func administratorsDisableEnableAndResetAtOnce(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let (admin, adminPassword) = try await env.runtime.directory.createUser(.init(
                email: "admin@merton.gov.uk", name: "Ada Admin", organisation: people.alice.organisationID, jobTitle: "Administrator",
                phone: "020 1", roles: [.admin]))
            let (service, servicePassword) = try await env.runtime.directory.createUser(.init(
                email: "operator@merton.gov.uk", name: "Oscar Operator", organisation: people.alice.organisationID, jobTitle: "Service manager",
                phone: "020 2", roles: [.admin, .serviceAdmin]))
            let orgAdmin = try await api.login(admin.email, try #require(adminPassword))
            let adminToken = try await api.login(service.email, try #require(servicePassword))
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            // Only administrators; an organisation's administrator reaches only its own people.
            #expect(try await api.call(.post, "/api/v1/users/\(people.bob.id)/disable", token: alice).status == .forbidden)
            #expect(try await api.call(.post, "/api/v1/users/\(people.bob.id)/disable", token: orgAdmin).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/users/\(people.bob.id)/totp/reset", token: orgAdmin).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/users/no-such-user/disable", token: adminToken).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/users/\(service.id)/disable", token: adminToken).status == .conflict)
            // Disabled: Bob's session stops at once and he cannot sign in.
            let disabled = try await api.call(.post, "/api/v1/users/\(people.bob.id)/disable", token: adminToken)
            #expect(try disabled.json["disabled"] as? Bool == true)
            #expect(try await api.call(.get, "/api/v1/account", token: bob).status == .unauthorized)
            #expect(try await api.call(.post, "/api/v1/sessions", json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword])
                .errorCode == "invalid_credentials")
            // Enabled again: old sessions stay ended, a new sign-in works.
            #expect(try await api.call(.post, "/api/v1/users/\(people.bob.id)/enable", token: adminToken).status == .ok)
            #expect(try await api.call(.get, "/api/v1/account", token: bob).status == .unauthorized)
            let again = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            // Reset of a second factor: sessions end, he signs in with the password alone.
            let current = try #require(try await env.store.read { try await $0.user(id: people.bob.id) })
            _ = try await env.runtime.auth.beginTOTP(for: current, password: TestEnvironment.bobPassword)
            let reset = try await api.call(.post, "/api/v1/users/\(people.bob.id)/totp/reset", token: adminToken)
            #expect(try reset.json["totpEnabled"] as? Bool == false)
            #expect(try await api.call(.get, "/api/v1/account", token: again).status == .unauthorized)
            _ = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let actions = try await env.store.read { try await $0.auditEvents(after: 0, limit: 1000) }.map(\.action)
            #expect(actions.contains("user.disabled") && actions.contains("user.enabled") && actions.contains("user.totp_disabled"))
        }
    }

    /// Ten recovery codes at set-up, shown once, stored as hashes; each signs in once instead of
    /// the app's code; they go when the second factor is removed.
    @Test(arguments: TestDatabase.available)
    func recoveryCodesSignInOnceEachAndGoWithTheSecondFactor(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let bob = try await api.login("bob@nhs.net", TestEnvironment.bobPassword)
            let (_, confirmed) = try await api.enableTOTP(token: bob, password: TestEnvironment.bobPassword)
            let codes = try #require(try confirmed.json["recoveryCodes"] as? [String])
            #expect(codes.count == 10 && Set(codes).count == 10)
            // Only hashes are stored.
            #expect(try await env.store.count("SELECT COUNT(*) FROM recovery_codes WHERE code_hash LIKE '%\(codes[0].prefix(4))%'") == 0)
            func signIn(_ code: String) async throws -> API.Reply {
                try await api.call(.post, "/api/v1/sessions", json: ["email": "bob@nhs.net", "password": TestEnvironment.bobPassword, "totp": code])
            }
            #expect(try await signIn(codes[0].lowercased()).status == .created, "case and separators do not matter")
            #expect(try await signIn(codes[0]).errorCode == "invalid_credentials", "a recovery code works once")
            #expect(try await signIn("AAAA-BBBB-CCCC").errorCode == "invalid_credentials")
            _ = try await env.runtime.auth.resetTOTP(people.bob.id, by: nil)
            #expect(try await env.store.read { try await $0.unusedRecoveryCodes(userID: people.bob.id) } == 0)
        }
    }
}
