import Foundation

/// Every value in the database sealed or wrapped under the key-encryption key, so a rotation can
/// reach them all: shares' and drafts' data keys, TOTP seeds, partner archive passwords and the
/// bodies of records (subjects, consents, logs, incidents).
public struct SealedValue: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case shareKey = "share-key", totpSecret = "totp-secret", partnerPassword = "partner-password", record
        /// The data key of a draft still being uploaded into.
        case draftKey = "draft-key"
    }
    public var kind: Kind
    public var id: String
    public var value: String

    public init(kind: Kind, id: String, value: String) {
        self.kind = kind
        self.id = id
        self.value = value
    }

    /// The context a sealed secret was bound to (nil for wrapped data keys).
    public var context: String? {
        switch kind {
        case .shareKey, .draftKey: return nil
        case .totpSecret: return "totp:\(id)"
        case .partnerPassword: return "partner-password:\(id)"
        case .record: return "record:\(id)"
        }
    }
}

public protocol KeyMaterialReading: Sendable {
    /// Values of one kind with ids after `id`, in id order, at most `limit`.
    func sealedValues(_ kind: SealedValue.Kind, after id: String, limit: Int) async throws -> [SealedValue]
}

public protocol KeyMaterialWriting: KeyMaterialReading {
    /// Replaces a value only if it is still `expected` (a concurrent change wins).
    func replaceSealedValue(_ value: SealedValue, expected: String) async throws -> Bool
}
