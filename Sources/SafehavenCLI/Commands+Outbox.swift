import Foundation
import SafehavenCore
import SafehavenServer

/// `safehaven outbox list|retry|purge`: notifications that could not be delivered.
extension Commands {
    public static func listOutbox(config: AppConfig, all: Bool) async throws -> String {
        let states: [OutboxMessage.State] = all ? OutboxMessage.State.allCases : [.failed]
        let rows = try await withRuntime(config, migrate: false) { try await OutboxAdminService($0.deps).list(states, limit: 1000) }
        if rows.isEmpty { return all ? "the outbox is empty" : "no failed notifications" }
        return rows.map { m in
            [m.id, m.state.rawValue, m.kind.rawValue, m.to, "attempts \(m.attempts)", ISODate.format(m.createdAt), m.lastError ?? ""]
                .joined(separator: "\t")
        }.joined(separator: "\n")
    }

    public static func retryOutbox(config: AppConfig, id: String) async throws -> String {
        try await withRuntime(config) { try await OutboxAdminService($0.deps).retry(id, actor: nil) }
        return "queued \(id) again; the worker sends it on its next pass"
    }

    public static func purgeOutbox(config: AppConfig, id: String?) async throws -> String {
        let removed = try await withRuntime(config) { try await OutboxAdminService($0.deps).purge(id, actor: nil) }
        return "removed \(removed) failed notification\(removed == 1 ? "" : "s")"
    }
}
