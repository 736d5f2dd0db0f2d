import Foundation
import SafehavenCrypto

/// Seals record bodies under the key-encryption key (bound to the record's id, so a body cannot
/// be moved to another row) and opens them again.
struct RecordVault: Sendable {
    let kek: KeyEncryptionKey
    let random: any RandomSource

    init(_ deps: Dependencies) {
        kek = deps.kek
        random = deps.random
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        e.dateEncodingStrategy = .millisecondsSince1970
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    /// A new row for `body`, or the next version of `previous`.
    func seal<T: RecordBody>(_ body: T, after previous: StoredRecord? = nil, at now: Date) throws -> StoredRecord {
        let json = try Self.encoder.encode(body)
        let sealed = try kek.sealSecret(Array(json), context: "record:\(body.id)", random: random)
        return StoredRecord(id: body.id, kind: T.kind, organisationID: body.organisationID, team: body.team, ownerID: body.ownerID,
                            subjectID: body.subjectID, lookup: body.lookup, state: body.state, dueAt: body.dueAt,
                            remindedAt: previous?.remindedAt, createdAt: body.createdAt, updatedAt: now,
                            version: (previous?.version ?? 0) + 1, bodySealed: sealed)
    }

    func open<T: RecordBody>(_ row: StoredRecord, as type: T.Type = T.self) throws -> T {
        guard row.kind == T.kind else { throw SafehavenError.notFound }
        let json = try kek.openSecret(row.bodySealed, context: "record:\(row.id)")
        return try Self.decoder.decode(T.self, from: Data(json))
    }
}

/// A record with the row it came from, so a change can be written as its next version.
struct Versioned<T: RecordBody>: Sendable {
    var body: T
    var row: StoredRecord
}

/// Who may see which records: their own; their team's for a manager; the whole organisation's
/// for information governance officers and administrators; never another organisation's.
public enum RecordScope {
    public static func wholeOrganisation(_ user: User) -> Bool { user.has(.igOfficer) || user.has(.admin) }

    public static func allows(organisationID: String, team: String, ownerID: String, for user: User) -> Bool {
        guard organisationID == user.organisationID, !user.has(.external) else { return false }
        if wholeOrganisation(user) || ownerID == user.id { return true }
        return user.has(.manager) && !user.department.isEmpty && team == user.department
    }

    static func allows(_ row: StoredRecord, for user: User) -> Bool {
        allows(organisationID: row.organisationID, team: row.team, ownerID: row.ownerID, for: user)
    }
}

extension Dependencies {
    /// Reads one record of type `T` the user may see; not found otherwise (whatever the reason).
    func record<T: RecordBody>(_ id: String, as type: T.Type, for user: User, in reader: any StoreReader) async throws -> Versioned<T> {
        guard let row = try await reader.record(id: id), row.kind == T.kind, RecordScope.allows(row, for: user) else {
            throw SafehavenError.notFound
        }
        return Versioned(body: try RecordVault(self).open(row, as: T.self), row: row)
    }

    /// Every record of type `T` in the user's organisation that they may see, newest first.
    func records<T: RecordBody>(_ type: T.Type, for user: User) async throws -> [Versioned<T>] {
        guard !user.has(.external) else { throw SafehavenError.notFound }
        let organisation = user.organisationID
        let rows = try await store.read { try await $0.records(T.kind, organisationID: organisation) }
        let vault = RecordVault(self)
        return try rows.filter { RecordScope.allows($0, for: user) }.map { Versioned(body: try vault.open($0, as: T.self), row: $0) }
    }

    /// Writes the next version of a record; refuses if someone changed it since it was read.
    func save<T: RecordBody>(_ body: T, after previous: StoredRecord, in tx: any StoreWriter) async throws -> StoredRecord {
        let next = try RecordVault(self).seal(body, after: previous, at: clock.now())
        guard try await tx.update(next) else {
            throw SafehavenError.conflict("record_changed", "Someone else changed this record at the same moment. Look at it again and repeat your change.")
        }
        return next
    }
}
