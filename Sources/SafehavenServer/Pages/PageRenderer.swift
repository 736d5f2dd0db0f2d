import Foundation
import Mustache
import SafehavenCore

/// Renders pages from the Mustache templates shipped in `Resources/templates`. Every value is
/// HTML-escaped by the template engine; the view models hold plain text only.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Reads every template once.
    public init() throws {
        guard let directory = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            throw ConfigError("the page templates are missing from this build")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    func render(_ template: String, _ context: Any) throws -> String {
        guard let html = library.render(context, withTemplate: template) else {
            throw ConfigError("the page template \(template) is missing from this build")
        }
        return html
    }

    /// A print-ready fax cover sheet.
    public func faxCover(_ sheet: FaxCoverSheet) throws -> String {
        try render("fax-cover-sheet", [
            "title": "Fax cover sheet", "marking": sheet.marking,
            "rows": sheet.rows.map { ["label": $0.label, "value": $0.value] },
        ])
    }

    /// Print-ready double-envelope labels.
    public func envelope(_ sheet: EnvelopeLabelSheet) throws -> String {
        try render("envelope-labels", [
            "title": "Envelope labels", "addressee": sheet.addressee, "name": sheet.addressee.first ?? "",
            "address": sheet.address, "returnAddress": sheet.returnAddress, "postage": sheet.postage,
        ])
    }
}
