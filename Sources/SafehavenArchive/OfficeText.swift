import CompressNIO
import Foundation
import NIOCore

/// The text inside a Word, Excel or PowerPoint file (or an OpenDocument one), read as the file
/// streams in: a forward-only walk over the ZIP's local headers that inflates the XML parts that
/// hold text and passes their character data on, tags removed (a paragraph, cell or row end
/// becomes a line end). Nothing is buffered beyond one header; expansion is capped, so a ZIP bomb
/// only costs the cap. Parts it cannot read forward (encrypted, or whose size comes after the
/// data) end the walk quietly: this feeds a count, it does not judge the file.
public struct OfficeTextStream {
    /// Extensions of the files read this way.
    public static let extensions: Set<String> = ["docx", "docm", "xlsx", "xlsm", "pptx", "odt", "ods", "odp"]

    public static func reads(name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    enum Phase {
        case header
        case name(needed: Int)
        case data(remaining: UInt64, wanted: Bool, deflated: Bool)
        case done
    }

    private var phase = Phase.header
    private var pending: [UInt8] = []
    private var header: (method: UInt16, flags: UInt16, compressed: UInt64, nameLength: Int, extraLength: Int) = (0, 0, 0, 0, 0)
    private var inflater: NIODecompressor?
    private var tags = TagStripper()
    /// Text handed on so far, against `cap`.
    public private(set) var produced: UInt64 = 0
    public let cap: UInt64

    public init(cap: UInt64 = 512 * 1024 * 1024) { self.cap = cap }

    /// Feeds the next bytes of the file; `text` receives character data as it is found.
    public mutating func update(_ bytes: some Collection<UInt8>, text: (ArraySlice<UInt8>) -> Void) {
        var input = ArraySlice(bytes)
        while !input.isEmpty {
            switch phase {
            case .done:
                return
            case .header:
                let take = min(30 - pending.count, input.count)
                pending += input.prefix(take)
                input = input.dropFirst(take)
                guard pending.count == 30 else { return }
                let h = pending
                pending = []
                guard le32(h, 0) == 0x0403_4b50 else { phase = .done; return }
                header = (method: le16(h, 8), flags: le16(h, 6), compressed: UInt64(le32(h, 18)), nameLength: Int(le16(h, 26)), extraLength: Int(le16(h, 28)))
                phase = .name(needed: header.nameLength + header.extraLength)
            case .name(let needed):
                let take = min(needed - pending.count, input.count)
                pending += input.prefix(take)
                input = input.dropFirst(take)
                guard pending.count == needed else { return }
                let name = String(decoding: pending.prefix(header.nameLength), as: UTF8.self)
                pending = []
                // Encrypted parts, or sizes given only after the data, cannot be walked forward.
                if header.flags & 0x1 != 0 || header.flags & 0x8 != 0 { phase = .done; return }
                let deflated = header.method == 8
                let wanted = Self.holdsText(name) && (deflated || header.method == 0)
                if wanted && deflated {
                    let d = CompressionAlgorithm.deflate().decompressor
                    d.window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
                    if (try? d.startStream()) == nil { phase = .done; return }
                    inflater = d
                }
                tags = TagStripper()
                phase = header.compressed == 0 ? .header : .data(remaining: header.compressed, wanted: wanted, deflated: deflated)
            case .data(let remaining, let wanted, let deflated):
                let take = Int(min(remaining, UInt64(input.count)))
                let part = input.prefix(take)
                input = input.dropFirst(take)
                if wanted {
                    if deflated, let inflater {
                        var buffer = ByteBuffer(bytes: part)
                        var failed = false
                        do {
                            try buffer.decompressStream(with: inflater) { window in
                                var w = window
                                if let bytes = w.readBytes(length: w.readableBytes) { emit(bytes[...], text: text) }
                            }
                        } catch { failed = true }
                        if failed { phase = .done; return }
                    } else {
                        emit(part, text: text)
                    }
                }
                let left = remaining - UInt64(take)
                if left == 0 {
                    if let inflater { try? inflater.finishStream() }
                    inflater = nil
                    phase = .header
                } else {
                    phase = .data(remaining: left, wanted: wanted, deflated: deflated)
                }
                if produced >= cap { phase = .done; return }
            }
        }
    }

    private mutating func emit(_ xml: ArraySlice<UInt8>, text: (ArraySlice<UInt8>) -> Void) {
        guard produced < cap else { return }
        let out = tags.strip(xml)
        produced += UInt64(out.count)
        if !out.isEmpty { text(out[...]) }
    }

    /// The parts that carry a document's words and a workbook's cells.
    static func holdsText(_ name: String) -> Bool {
        guard name.hasSuffix(".xml") else { return false }
        return name.hasPrefix("word/") || name.hasPrefix("xl/sharedStrings") || name.hasPrefix("xl/worksheets/") || name.hasPrefix("ppt/slides/")
            || name == "content.xml"
    }

    private func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
}

/// Drops XML tags, keeping character data; the end of a paragraph, cell, shared string or row
/// becomes a line end so neighbouring values do not run together.
struct TagStripper {
    private var inTag = false
    private var tag: [UInt8] = []
    static let breaks: Set<String> = ["p", "tc", "tr", "c", "si", "row", "br", "tab", "v", "table-cell", "table-row", "h"]

    mutating func strip(_ xml: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(xml.count / 2)
        for byte in xml {
            if inTag {
                if byte == UInt8(ascii: ">") {
                    inTag = false
                    if tag.count < 64 {
                        var name = String(decoding: tag, as: UTF8.self)
                        if name.hasPrefix("/") { name.removeFirst() }
                        name = String(name.split(separator: " ").first ?? "")
                        if name.hasSuffix("/") { name.removeLast() }
                        if let colon = name.lastIndex(of: ":") { name = String(name[name.index(after: colon)...]) }
                        if Self.breaks.contains(name) { out.append(10) }
                    }
                    tag = []
                } else if tag.count < 64 {
                    tag.append(byte)
                }
            } else if byte == UInt8(ascii: "<") {
                inTag = true
            } else {
                out.append(byte)
            }
        }
        return out
    }
}
