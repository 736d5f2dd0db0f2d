import Foundation

extension Migrations {
    /// The records pillar: data subjects, consents, authorisations, off-site and removable-media
    /// logs and incidents share one table. Their bodies may name people, so each is sealed under the
    /// key-encryption key; only what queries need stays readable. Links tie records to shares and
    /// register entries. Register entries gain their lawful basis.
    static let records = Migration(version: 19, name: "records", statements: [
        """
        CREATE TABLE records (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            organisation_id TEXT NOT NULL REFERENCES organisations(id),
            team TEXT NOT NULL DEFAULT '',
            owner_id TEXT NOT NULL,
            subject_id TEXT,
            lookup TEXT,
            state TEXT NOT NULL,
            due_at BIGINT,
            reminded_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            version INTEGER NOT NULL,
            body_sealed TEXT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX records_lookup ON records(organisation_id, kind, lookup)",
        "CREATE INDEX records_organisation ON records(organisation_id, kind, created_at)",
        "CREATE INDEX records_due ON records(kind, state, due_at)",
        "CREATE INDEX records_subject ON records(subject_id, kind)",
        """
        CREATE TABLE record_links (
            record_id TEXT NOT NULL REFERENCES records(id),
            kind TEXT NOT NULL,
            target_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (record_id, kind, target_id)
        )
        """,
        "CREATE INDEX record_links_target ON record_links(target_id, kind)",
        "ALTER TABLE disclosures ADD COLUMN lawful_basis TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE disclosures ADD COLUMN justification TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE disclosures ADD COLUMN consent_id TEXT",
        "ALTER TABLE disclosures ADD COLUMN subjects TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE shares ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
    ])
}
