import Foundation

extension Migrations {
    static let auditChain = Migration(version: 3, name: "audit_chain", statements: [
        """
        CREATE TABLE audit_events (
            seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, action TEXT NOT NULL, actor_id TEXT NOT NULL,
            organisation_id TEXT NOT NULL, target_id TEXT NOT NULL, details TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
        """,
        """
        CREATE TABLE audit_checkpoints (
            count BIGINT PRIMARY KEY, head_hash TEXT NOT NULL, signature TEXT NOT NULL, at BIGINT NOT NULL)
        """,
    ])
}
