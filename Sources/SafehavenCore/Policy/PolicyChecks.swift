import Foundation

/// What the rules said when a share was sent, kept with the share so the record shows the sender
/// was told. Holds addresses of the sender's chosen recipients and counts, never content.
public struct PolicyChecks: Codable, Equatable, Sendable {
    public struct Route: Codable, Equatable, Sendable {
        public var to: String
        public var verdict: RouteVerdict
    }

    public var profile: String
    /// Whether direct email to each recipient would have been secure.
    public var routes: [Route]
    /// Distinct identifiers of people (NHS, CHI, H&C, National Insurance, UPN, ULN) found in the message.
    public var identifiersInMessage: Int
    /// Distinct identifiers of people found in the text files as they streamed in (a count, never the values).
    public var identifiersInFiles: Int?
    /// Files accepted without a malware verdict because the scanner was down (`allow-and-flag`).
    public var filesNotScanned: Int?
    /// True when the message, file names and text files identify large numbers of people.
    public var largeNumbers: Bool
    public var advice: String
    /// What the sender was asked to check about the marking they gave (a legacy CONFIDENTIAL, say).
    public var markingWarning: String?

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func from(json: String?) -> PolicyChecks? {
        json.flatMap { try? JSONDecoder().decode(PolicyChecks.self, from: Data($0.utf8)) }
    }
}
