import Foundation
import NIOCore
import NIOEmbedded
@testable import SafehavenMail
import Testing

/// The message writer and the reply reader, byte by byte.
@Suite struct MailMessageTests {
    static let message = MailMessage(
        from: .init(name: "Safehaven", email: "notices@example.org"), to: .init(email: "bob@nhs.net"),
        subject: "Réunion à 9h — dossier", messageID: "abc.share_announced@example.org",
        date: Date(timeIntervalSince1970: 1_795_000_000),
        text: "Line one\n.starts with a dot\nA very long line " + String(repeating: "x", count: 120) + "\nCafé = £5 ",
        html: "<p>Hello</p>", headers: [("Auto-Submitted", "auto-generated")])

    @Test func headersAreCorrectAndSevenBit() {
        let text = Self.message.rendered()
        #expect(text.utf8.allSatisfy { $0 < 128 }, "the whole message is 7-bit")
        #expect(text.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"))
        #expect(text.contains("Message-ID: <abc.share_announced@example.org>\r\n"))
        #expect(text.contains("From: \"Safehaven\" <notices@example.org>\r\n"))
        #expect(text.contains("Auto-Submitted: auto-generated\r\n"))
        // The subject as RFC 2047 words that decode back to the original.
        let subject = text.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
            .joined().dropFirst("Subject: ".count)
        let decoded = subject.split(separator: " ").map { word -> String in
            let base64 = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == "Réunion à 9h — dossier")
        // Every line within the limit of 998, and every line ends CRLF.
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 && !$0.contains("\n") && !$0.contains("\r") })
    }

    @Test func quotedPrintableRoundTrips() {
        let encoded = MailMessage.quotedPrintable(Self.message.text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.contains("=2Estarts with a dot"), "a line starting with a dot is encoded")
        #expect(encoded.contains("Caf=C3=A9 =3D =C2=A35=20"), "a trailing space is encoded")
        // Decode it back.
        var bytes: [UInt8] = []
        let soft = encoded.replacingOccurrences(of: "=\r\n", with: "")
        var scalars = Array(soft.utf8)[...]
        while let byte = scalars.first {
            if byte == UInt8(ascii: "="), scalars.count >= 3, let value = UInt8(String(decoding: scalars.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                scalars = scalars.dropFirst(3)
            } else {
                bytes.append(byte)
                scalars = scalars.dropFirst()
            }
        }
        #expect(String(decoding: bytes, as: UTF8.self) == Self.message.text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func dataIsDotStuffedAndEndsOnce() {
        let stuffed = SMTPSession.dotStuffed("a\r\n.b\r\n..c\r\nd")
        #expect(String(buffer: stuffed) == "a\r\n..b\r\n...c\r\nd\r\n.\r\n")
        #expect(String(buffer: SMTPSession.dotStuffed("x\r\n")) == "x\r\n.\r\n")
    }

    @Test func multiLineRepliesAreReadWhole() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "250-mail.example.org\r\n250-SIZE 1000\r\n250-STARTTLS\r"))
        #expect(try channel.readInbound(as: SMTPReply.self) == nil, "not until the last line")
        try channel.writeInbound(ByteBuffer(string: "\n250 HELP\r\n451 4.3.0 later\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 250, lines: ["mail.example.org", "SIZE 1000", "STARTTLS", "HELP"]))
        #expect(try channel.readInbound(as: SMTPReply.self)?.isTemporary == true)
        // Not SMTP: refused rather than misread.
        let bad = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: (any Error).self) { try bad.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n")) }
        let mixed = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: (any Error).self) { try mixed.writeInbound(ByteBuffer(string: "250-a\r\n550 b\r\n")) }
    }
}

extension MailMessageTests {
    @Test func anyNameOrSubjectStaysWithinTheLineLimitsAndSyntax() {
        // One character made of 600 scalars (a letter and its combining accents); a dot that lands
        // just after a quoted-printable soft break; runs of spaces.
        let heavy = "e" + String(repeating: "\u{301}", count: 600)
        let dotAfterBreak = String(repeating: "a", count: 75) + "."
        for (name, subject) in [(String(repeating: "A", count: 900), String(repeating: "S", count: 1200) + " \r\n.\r\nBcc: x@example.org"),
                                ("Ali \"x\" Smith", heavy), ("Zoë <b>\r\n.\r\n", String(repeating: " ", count: 200) + "x"), (heavy, "")] {
            let message = MailMessage(from: .init(name: name, email: "n@example.org"), to: .init(email: "b@example.org"),
                                      subject: subject, messageID: "m@example.org",
                                      date: Date(timeIntervalSince1970: 0), text: ".\r\n.\r\n" + dotAfterBreak + "\r\n" + heavy, html: dotAfterBreak)
            let text = message.rendered()
            #expect(text.utf8.allSatisfy { $0 < 128 })
            #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
            #expect(!text.components(separatedBy: "\r\n").contains { !$0.isEmpty && $0.allSatisfy { $0 == " " } }, "no header line of only spaces")
            #expect(!text.contains("\r\nBcc:"), "no header can be injected through a subject")
            #expect(smtpDataSection(text).hasSuffix("\r\n.\r\n") && !text.contains("\r\n.\r\n"))
        }
        #expect(try! SMTPReplyParser.parse(Array("250-a\r\n250 b\r\n".utf8)) == [SMTPReply(code: 250, lines: ["a", "b"])])
    }
}
