import Foundation

extension Migrations {
    /// People without an account: invitations (single-use links, stored as hashes), the
    /// organisation their accounts belong to, and each organisation's rule about inviting them.
    static let invitations = Migration(version: 17, name: "invitations", statements: [
        """
        CREATE TABLE invitations (
            id TEXT PRIMARY KEY, email TEXT NOT NULL, user_id TEXT NOT NULL REFERENCES users(id),
            sender_id TEXT NOT NULL REFERENCES users(id), share_id TEXT NOT NULL REFERENCES shares(id),
            token_hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
            used_at BIGINT, withdrawn_at BIGINT)
        """,
        "CREATE INDEX invitations_share ON invitations(share_id)",
        "CREATE INDEX invitations_user ON invitations(user_id)",
        """
        CREATE TABLE external_policies (
            organisation_id TEXT PRIMARY KEY REFERENCES organisations(id), policy TEXT NOT NULL, domains TEXT NOT NULL)
        """,
        "INSERT INTO organisations (id, name, switchboard, address, created_at) VALUES ('external', 'Invited from outside Safehaven', '', '', 0)",
    ])
}
