import Foundation
import Mustache

/// A page's typed view model: the template that draws it and the title in the browser tab.
/// Properties are plain text; the template engine escapes every one of them.
protocol PageModel: Sendable {
    static var template: String { get }
    var title: String { get }
}

/// What every page's frame needs besides the page itself.
struct PageFrame: Sendable {
    var requestID: String
    var signedIn = false
    var csrf = ""
    var userName = ""
    var isAdmin = false
    var canCompose = true
}

/// Lets a template see the page's own fields first and then the frame's, by name.
struct RenderedPage: MustacheParent {
    let page: Any
    let frame: PageFrame
    let title: String

    func child(named name: String) -> Any? {
        if name == "title" { return title }
        if let value = Self.field(name, of: page) { return value }
        return Self.field(name, of: frame)
    }

    /// A stored property by name, with optionals unwrapped (nil when absent or empty).
    static func field(_ name: String, of object: Any) -> Any? {
        guard let value = Mirror(reflecting: object).children.first(where: { $0.label == name })?.value else { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first?.value }
        return value
    }
}

/// Error-summary rows: which field, and what to do about it.
struct FieldError: Sendable, Equatable {
    var field: String
    var message: String
}

extension Array where Element == FieldError {
    var hasErrors: Bool { !isEmpty }
}
