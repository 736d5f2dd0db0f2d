import Foundation
import SafehavenCrypto

/// One line of an audit export (JSON lines): a header first, then every checkpoint, then every
/// event in order. Times are whole milliseconds since 1970, exactly as they were hashed.
public enum AuditExportLine: Codable, Sendable, Equatable {
    case header(Header)
    case checkpoint(Checkpoint)
    case event(Event)

    public static let format = "safehaven-audit-export"

    public struct Header: Codable, Sendable, Equatable {
        public var format: String
        public var version: Int
        public var publicKey: String
        public var exportedAt: Int64
        public var signingIntervalSeconds: Int
    }

    public struct Checkpoint: Codable, Sendable, Equatable {
        public var count: Int64
        public var headHash: String
        public var signature: String
        public var at: Int64
    }

    public struct Event: Codable, Sendable, Equatable {
        public var seq: Int64
        public var at: Int64
        public var action: String
        public var actor: String
        public var organisation: String
        public var target: String
        public var details: String
        public var previousHash: String
        public var hash: String
    }

    private enum CodingKeys: String, CodingKey { case header, checkpoint, event }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "each line holds exactly one item"))
        }
        if let h = try c.decodeIfPresent(Header.self, forKey: .header) { self = .header(h) }
        else if let p = try c.decodeIfPresent(Checkpoint.self, forKey: .checkpoint) { self = .checkpoint(p) }
        else { self = .event(try c.decode(Event.self, forKey: .event)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .header(let h): try c.encode(h, forKey: .header)
        case .checkpoint(let p): try c.encode(p, forKey: .checkpoint)
        case .event(let e): try c.encode(e, forKey: .event)
        }
    }
}

extension AuditExportLine.Checkpoint {
    init(_ c: AuditCheckpoint) {
        self.init(count: c.count, headHash: c.headHash, signature: c.signature, at: AuditEvent.millis(c.at))
    }
    var model: AuditCheckpoint {
        AuditCheckpoint(count: count, headHash: headHash, signature: signature, at: Date(timeIntervalSince1970: Double(at) / 1000))
    }
}

extension AuditExportLine.Event {
    init(_ e: AuditEvent) {
        self.init(seq: e.seq, at: AuditEvent.millis(e.at), action: e.action, actor: e.actorID, organisation: e.organisationID,
                  target: e.targetID, details: e.details, previousHash: e.previousHash, hash: e.hash)
    }
    var model: AuditEvent {
        AuditEvent(seq: seq, at: Date(timeIntervalSince1970: Double(at) / 1000), action: action, actorID: actor,
                   organisationID: organisation, targetID: target, details: details, previousHash: previousHash, hash: hash)
    }
}

/// A checkpoint published outside the database (printed by `safehaven audit checkpoint`, kept in a
/// ticket, an email or a partner's records), written `count:headhash:signature`. Checked later
/// against the live chain it catches a tail cut off together with its checkpoints.
public struct PublishedCheckpoint: Equatable, Sendable, CustomStringConvertible {
    public var count: Int64
    public var headHash: String
    public var signature: String

    public init(count: Int64, headHash: String, signature: String) {
        self.count = count
        self.headHash = headHash
        self.signature = signature
    }

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let count = Int64(parts[0]), count > 0,
              parts[1].count == 64, Encoding.fromHex(String(parts[1])) != nil,
              parts[2].count == 128, Encoding.fromHex(String(parts[2])) != nil else { return nil }
        self.init(count: count, headHash: parts[1].lowercased(), signature: parts[2].lowercased())
    }

    public var description: String { "\(count):\(headHash):\(signature)" }

    var asCheckpoint: AuditCheckpoint { AuditCheckpoint(count: count, headHash: headHash, signature: signature, at: .distantPast) }
}
