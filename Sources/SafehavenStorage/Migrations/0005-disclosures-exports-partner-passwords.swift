import Foundation

extension Migrations {
    static let disclosuresExportsPartnerPasswords = Migration(version: 5, name: "disclosures_exports_partner_passwords", statements: [
        """
        CREATE TABLE disclosures (
            id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id),
            share_id TEXT REFERENCES shares(id), recorded_by TEXT NOT NULL REFERENCES users(id), at BIGINT NOT NULL,
            method TEXT NOT NULL, reason TEXT NOT NULL, information_type TEXT NOT NULL, authorised_by TEXT,
            recipient_name TEXT NOT NULL, recipient_job_title TEXT NOT NULL, recipient_organisation TEXT NOT NULL,
            recipient_phone TEXT NOT NULL, recipient_email TEXT NOT NULL)
        """,
        "CREATE INDEX disclosures_org ON disclosures(organisation_id, at)",
        """
        CREATE TABLE share_exports (
            id TEXT PRIMARY KEY, share_id TEXT NOT NULL REFERENCES shares(id), blob_id TEXT NOT NULL UNIQUE,
            created_by TEXT NOT NULL REFERENCES users(id), created_at BIGINT NOT NULL, size BIGINT NOT NULL,
            destroyed_at BIGINT)
        """,
        "CREATE INDEX share_exports_share ON share_exports(share_id)",
        """
        CREATE TABLE partner_passwords (
            id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL REFERENCES organisations(id), partner TEXT NOT NULL,
            purpose TEXT NOT NULL, password_sealed TEXT NOT NULL, created_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL, rotate_by BIGINT NOT NULL, retired_at BIGINT)
        """,
        "CREATE INDEX partner_passwords_org ON partner_passwords(organisation_id)",
    ])
}
