import Foundation

/// What a fax cover sheet carries: who it is for and who to call back, never who it is about.
public struct FaxCover: Codable, Equatable, Sendable {
    public var toName: String
    public var toOrganisation: String
    public var toFax: String
    public var fromName: String
    public var fromOrganisation: String
    /// The published switchboard the recipient should use to call back.
    public var fromSwitchboard: String
    public var pages: Int
    public var marking: String?
    public var date: String?

    public init(toName: String, toOrganisation: String, toFax: String, fromName: String, fromOrganisation: String,
                fromSwitchboard: String, pages: Int, marking: String? = nil, date: String? = nil) {
        self.toName = toName
        self.toOrganisation = toOrganisation
        self.toFax = toFax
        self.fromName = fromName
        self.fromOrganisation = fromOrganisation
        self.fromSwitchboard = fromSwitchboard
        self.pages = pages
        self.marking = marking
        self.date = date
    }

    /// The checked sheet, ready for a template. Refuses values that carry personal data about the
    /// people concerned (NHS numbers, dates of birth and so on) or any of `names`.
    public func sheet(forbiddenNames names: [String] = []) throws -> FaxCoverSheet {
        for (field, value) in [("to_name", toName), ("to_organisation", toOrganisation), ("to_fax", toFax), ("from_name", fromName),
                               ("from_organisation", fromOrganisation), ("from_switchboard", fromSwitchboard)] {
            _ = try Text.required(value, field: field, max: 200)
        }
        guard (1...999).contains(pages) else { throw SafehavenError.invalid("pages", "Give the number of pages including this one (1 to 999).") }
        let scanner = PersonalDataScanner(names: names)
        for (field, value) in [("to_name", toName), ("to_organisation", toOrganisation), ("from_name", fromName), ("from_organisation", fromOrganisation)] {
            let found = scanner.scan(value).filter { $0.kind != .name || !names.isEmpty }
            if let first = found.first {
                throw SafehavenError.invalid(field, "A fax cover sheet must not identify the people concerned: \(field) contains \(first.label).")
            }
        }
        let marking = try self.marking.map { try Marking.parse($0).marking.rawValue } ?? "OFFICIAL-SENSITIVE"
        let rows: [(String, String)] = [
            ("For", "\(toName), \(toOrganisation)"), ("Fax number", toFax), ("From", "\(fromName), \(fromOrganisation)"),
            ("Call back on (switchboard)", fromSwitchboard), ("Pages, including this one", String(pages)),
        ] + (date.map { [("Date", $0)] } ?? [])
        return FaxCoverSheet(marking: marking, rows: rows.map { FaxCoverSheet.Row(label: $0.0, value: $0.1) })
    }
}

/// Double-envelope labels: the inner names the addressee and warns; the outer gives nothing away.
public struct EnvelopeLabels: Codable, Equatable, Sendable {
    public var toName: String
    public var toJobTitle: String?
    public var toAddress: String
    public var returnAddress: String
    public var signedFor: Bool?

    public init(toName: String, toJobTitle: String? = nil, toAddress: String, returnAddress: String, signedFor: Bool? = nil) {
        self.toName = toName
        self.toJobTitle = toJobTitle
        self.toAddress = toAddress
        self.returnAddress = returnAddress
        self.signedFor = signedFor
    }

    /// The checked labels, ready for a template.
    public func labels() throws -> EnvelopeLabelSheet {
        _ = try Text.required(toName, field: "to_name", max: 200)
        _ = try Text.required(toAddress, field: "to_address", max: 1000)
        _ = try Text.required(returnAddress, field: "return_address", max: 1000)
        return EnvelopeLabelSheet(
            addressee: [toName] + (toJobTitle.map { [$0] } ?? []), address: Self.lines(toAddress), returnAddress: Self.lines(returnAddress),
            postage: signedFor == true ? "Send by a signed-for service or an approved courier."
                : "For OFFICIAL-SENSITIVE material, send by a signed-for service.")
    }

    /// An address as its lines, trimmed, blank lines dropped.
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A fax cover sheet as a page shows it: the marking and the rows of the table, all checked.
public struct FaxCoverSheet: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let label: String
        public let value: String
    }
    public let marking: String
    public let rows: [Row]
}

/// Double-envelope labels as a page shows them.
public struct EnvelopeLabelSheet: Sendable, Equatable {
    /// Name, then job title when given.
    public let addressee: [String]
    public let address: [String]
    public let returnAddress: [String]
    /// How to send it.
    public let postage: String
}
