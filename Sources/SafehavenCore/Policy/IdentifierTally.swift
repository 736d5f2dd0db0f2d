import Foundation

/// Counts the distinct identifiers of people (NHS, CHI, H&C, National Insurance, UPN, ULN) in a
/// text file as it streams in, a chunk at a time, with flat memory: text is scanned a line-bounded
/// window at a time, a character sequence split across two chunks is carried over, and at most
/// `cap` distinct identifiers are remembered (enough to know "many"). Only the count leaves here.
public struct IdentifierTally: Sendable {
    /// Extensions of files read as text. Word and Excel files are ZIP archives and are not read here.
    public static let textExtensions: Set<String> = ["txt", "csv", "tsv", "json", "xml", "md", "log", "htm", "html", "rtf", "ndjson", "tab"]
    static let window = 64 * 1024
    static let overlap = 64

    public let cap: Int
    private var pending: [UInt8] = []
    private var keys: Set<String> = []

    public init(cap: Int = 100_000) { self.cap = cap }

    /// Whether a file is read for identifiers, by its name or declared type.
    public static func reads(name: String, contentType: String) -> Bool {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return (name.contains(".") && textExtensions.contains(ext)) || contentType.hasPrefix("text/") || contentType == "application/json"
            || contentType == "text/csv" || contentType == "application/xml"
    }

    public var count: Int { keys.count }

    public mutating func update<D: DataProtocol>(_ bytes: D) {
        pending.append(contentsOf: bytes)
        while pending.count >= Self.window * 2 {
            // Up to the last line end in the window (or the window itself, keeping an overlap).
            let limit = Self.window
            let cut = pending[..<limit].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? limit
            scan(pending[..<cut])
            let keep = cut == limit && pending[..<limit].lastIndex(of: UInt8(ascii: "\n")) == nil ? Self.overlap : 0
            pending.removeFirst(cut - keep)
        }
    }

    /// Scans what is left of the current file; the identifiers found so far (in every file fed) stay counted.
    @discardableResult
    public mutating func finish() -> Int {
        scan(pending[...])
        pending = []
        return keys.count
    }

    private mutating func scan(_ slice: ArraySlice<UInt8>) {
        guard keys.count < cap, !slice.isEmpty else { return }
        // Invalid UTF-8 (a split character, binary) becomes replacement characters, which match nothing.
        let text = String(decoding: slice, as: UTF8.self)
        for key in PersonalDataScanner.identifierKeys(text) where keys.count < cap { keys.insert(key) }
    }
}
