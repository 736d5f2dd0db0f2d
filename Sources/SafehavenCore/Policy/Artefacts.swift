import Foundation

/// HTML escaping for every value placed in a printable artefact.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Escaped, with line breaks kept for addresses.
    static func lines(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { escape(String($0).trimmingCharacters(in: .whitespaces)) }
            .joined(separator: "<br>")
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: Arial, Helvetica, sans-serif; font-size: 12pt; color: #0b0c0c; margin: 2cm; }
        h1 { font-size: 24pt; margin: 0 0 0.5cm; }
        .marking { font-weight: bold; text-align: center; letter-spacing: 0.1em; border: 2px solid #0b0c0c; padding: 4px; }
        table { border-collapse: collapse; width: 100%; margin: 0.5cm 0; }
        th, td { text-align: left; vertical-align: top; border: 1px solid #b1b4b6; padding: 6px 8px; }
        th { width: 30%; background: #f3f2f1; }
        .label { border: 1px dashed #0b0c0c; padding: 1cm; margin: 0 0 1cm; width: 11cm; min-height: 5cm; page-break-inside: avoid; }
        .label h2 { font-size: 11pt; margin: 0 0 0.4cm; text-transform: uppercase; }
        .warning { font-weight: bold; }
        @media print { body { margin: 1cm; } }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}

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

    /// Print-ready HTML. Refuses values that carry personal data about the people concerned
    /// (NHS numbers, dates of birth and so on) or any of `names`.
    public func render(forbiddenNames names: [String] = []) throws -> String {
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
        let table = rows.map { "<tr><th scope=\"row\">\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined(separator: "\n")
        return HTML.page(title: "Fax cover sheet", body: """
            <p class="marking">\(HTML.escape(marking))</p>
            <h1>Fax: Private and Confidential</h1>
            <table>
            \(table)
            </table>
            <p class="warning">This fax is for the named recipient only. If it has reached you by mistake, do not read on: telephone the sender's switchboard above at once and destroy it.</p>
            <p>Recipient: please telephone to confirm you have received every page.</p>
            """)
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

    public func render() throws -> String {
        _ = try Text.required(toName, field: "to_name", max: 200)
        _ = try Text.required(toAddress, field: "to_address", max: 1000)
        _ = try Text.required(returnAddress, field: "return_address", max: 1000)
        let addressee = HTML.escape(toName) + (toJobTitle.map { "<br>" + HTML.escape($0) } ?? "")
        return HTML.page(title: "Envelope labels", body: """
            <h1>Envelope labels</h1>
            <div class="label" id="inner">
            <h2>Inner envelope</h2>
            <p class="warning">Private and Confidential – to be opened by the addressee only</p>
            <p>\(addressee)<br>\(HTML.lines(toAddress))</p>
            <p>If undelivered, return to:<br>\(HTML.lines(returnAddress))</p>
            </div>
            <div class="label" id="outer">
            <h2>Outer envelope</h2>
            <p>\(HTML.escape(toName))<br>\(HTML.lines(toAddress))</p>
            <p>Return address:<br>\(HTML.lines(returnAddress))</p>
            </div>
            <p>\(signedFor == true ? "Send by a signed-for service or an approved courier." : "For OFFICIAL-SENSITIVE material, send by a signed-for service.") Nothing on the outer envelope should suggest what is inside.</p>
            """)
    }
}
