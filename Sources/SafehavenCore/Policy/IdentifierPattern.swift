import Foundation

/// One of an organisation's own identifiers, such as a hospital number or a case reference,
/// written as a regular expression by its administrator: found in subjects like an NHS number.
public struct IdentifierPattern: Codable, Equatable, Sendable {
    public var name: String
    public var pattern: String

    public init(name: String, pattern: String) {
        self.name = name
        self.pattern = pattern
    }

    public static let maxLength = 200

    /// The compiled expression; a clear error for one that is empty, too long, invalid or would
    /// match anything at all.
    public func compiled() throws -> NSRegularExpression {
        guard !pattern.isEmpty, pattern.count <= Self.maxLength else {
            throw SafehavenError.invalid("pattern", "A pattern is 1 to \(Self.maxLength) characters.")
        }
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: pattern) } catch {
            throw SafehavenError.invalid("pattern", "That is not a valid regular expression.")
        }
        for probe in ["", "a", "1", " ", "Strategy meeting papers"] {
            let range = NSRange(location: 0, length: (probe as NSString).length)
            if let m = regex.firstMatch(in: probe, range: range), m.range.length == 0 || probe.count <= 1 {
                throw SafehavenError.invalid("pattern", "That pattern matches almost anything; make it match only the identifier.")
            }
        }
        return regex
    }
}

public protocol IdentifierPatternReading: Sendable {
    func identifierPatterns(organisationID: String) async throws -> [IdentifierPattern]
}

public protocol IdentifierPatternWriting: IdentifierPatternReading {
    func setIdentifierPattern(_ pattern: IdentifierPattern, organisationID: String) async throws
    func removeIdentifierPattern(name: String, organisationID: String) async throws -> Bool
}
