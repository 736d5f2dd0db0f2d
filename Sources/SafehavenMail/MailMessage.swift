import Foundation

/// One email, written as RFC 5322 text with a MIME multipart/alternative body (RFC 2045–2047):
/// a plain-text part and an HTML part, each quoted-printable, so the message is 7-bit clean and
/// any relay carries it unchanged. Display names and the subject that are not ASCII are written as
/// RFC 2047 encoded words.
public struct MailMessage: Sendable, Equatable {
    public struct Address: Sendable, Equatable {
        public var name: String
        public var email: String
        public init(name: String = "", email: String) {
            self.name = name
            self.email = email
        }
    }

    public var from: Address
    public var to: Address
    public var subject: String
    /// Without angle brackets, e.g. `01HX….share_announced@safehaven.example.org`.
    public var messageID: String
    public var date: Date
    public var text: String
    public var html: String
    /// Further headers, in order (`Auto-Submitted`, `List-Unsubscribe`…); ASCII values only.
    public var headers: [(String, String)]

    public init(from: Address, to: Address, subject: String, messageID: String, date: Date, text: String, html: String,
                headers: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
        self.html = html
        self.headers = headers
    }

    public static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.subject == b.subject && a.messageID == b.messageID && a.date == b.date
            && a.text == b.text && a.html == b.html && a.headers.map { "\($0.0):\($0.1)" } == b.headers.map { "\($0.0):\($0.1)" }
    }

    /// The message as it goes after DATA, lines ending CRLF, before dot-stuffing.
    public func rendered() -> String {
        let boundary = "=_safehaven_" + String(messageID.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.prefix(24).map(Character.init))
        var lines: [String] = [
            "Date: " + Self.rfc5322Date(date),
            "From: " + Self.address(from),
            "To: " + Self.address(to),
            "Message-ID: <\(messageID)>",
            "Subject: " + Self.encodedWord(subject),
            "MIME-Version: 1.0",
        ]
        for (name, value) in headers { lines.append("\(name): \(Self.ascii(value))") }
        lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        let head = lines.map(Self.folded)
        let body: [String] = [
            "",
            "This is a message in MIME format.",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            Self.quotedPrintable(text),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            Self.quotedPrintable(html),
            "--\(boundary)--",
            "",
        ]
        return (head + body).joined(separator: "\r\n")
    }

    /// RFC 5322 §3.3, in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func address(_ a: Address) -> String {
        // The name is only a label: long or unusual names are written as encoded words.
        guard !a.name.isEmpty else { return "<\(a.email)>" }
        if a.name.count <= 60, a.name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F && !"\"\\".unicodeScalars.contains($0) }) {
            return "\"\(a.name)\" <\(a.email)>"
        }
        return "\(encodedWord(a.name, always: true)) <\(a.email)>"
    }

    /// Plain ASCII stays as it is; anything else becomes `=?utf-8?B?…?=` words of at most 75 characters.
    static func encodedWord(_ text: String, always: Bool = false) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        // Plain ASCII stays readable, as long as every word can be folded onto a line of its own.
        if !always, clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) && !clean.contains("=?"),
           clean.split(separator: " ").allSatisfy({ $0.count <= 60 }) {
            // Runs of spaces become one, so no folded line is only white space.
            return clean.split(separator: " ").joined(separator: " ")
        }
        // Split on whole Unicode scalars (never inside a UTF-8 sequence, as RFC 2047 asks; a
        // character made of many scalars may span words); 45 bytes → 60 base64 characters.
        var words: [String] = [], chunk = String.UnicodeScalarView()
        var bytes = 0
        for scalar in clean.unicodeScalars {
            let size = String(scalar).utf8.count
            if bytes + size > 45 {
                words.append(String(chunk))
                chunk = String.UnicodeScalarView()
                bytes = 0
            }
            chunk.append(scalar)
            bytes += size
        }
        if !chunk.isEmpty { words.append(String(chunk)) }
        return words.map { "=?utf-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: " ")
    }

    /// Header values we add ourselves: ASCII only, no line breaks.
    static func ascii(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init))
    }

    /// Header lines longer than 78 characters are folded at a space (RFC 5322 §2.2.3).
    static func folded(_ line: String) -> String {
        // A Message-ID stays on one line (allowed up to 998 characters): some readers match it whole.
        guard line.count > 78, line.contains(": "), !line.hasPrefix(" "), !line.hasPrefix("Message-ID:") else { return line }
        var out: [String] = [], current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.count + word.count + 1 > 76 {
                out.append(current)
                current = " " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        out.append(current)
        return out.joined(separator: "\r\n")
    }

    /// RFC 2045 §6.7: lines of at most 76 characters, soft breaks `=`, CRLF line ends.
    static func quotedPrintable(_ text: String) -> String {
        var out: [String] = []
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                var piece: String
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !last) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if encoded.count + piece.count > 75 {
                    out.append(encoded + "=")
                    encoded = ""
                }
                // A line starting with a dot (after a soft break too) is written "=2E", so no relay can mistake it.
                if encoded.isEmpty && piece == "." { piece = "=2E" }
                encoded += piece
            }
            out.append(encoded)
        }
        return out.joined(separator: "\r\n")
    }
}
