import Foundation
@testable import SafehavenCore
import Testing

@Suite struct MarkingTests {
    @Test(arguments: [
        ("OFFICIAL", Marking.official, nil as String?), ("official-sensitive", .officialSensitive, nil),
        ("Official Sensitive", .officialSensitive, nil), ("PROTECT", .officialSensitive, "PROTECT"),
        ("restricted", .officialSensitive, "RESTRICTED"), ("CONFIDENTIAL", .officialSensitive, "CONFIDENTIAL"),
        ("PROTECT - PERSONAL", .officialSensitive, "PROTECT - PERSONAL"), ("Protect – Personal", .officialSensitive, "PROTECT - PERSONAL"),
        ("OFFICIAL: SENSITIVE", .officialSensitive, nil), ("OFFICIAL-SENSITIVE PERSONAL", .officialSensitive, nil),
        ("official_sensitive / personal", .officialSensitive, nil), ("OFFICIAL—SENSITIVE: COMMERCIAL", .officialSensitive, nil),
        ("NHS CONFIDENTIAL", .officialSensitive, "NHS CONFIDENTIAL"), ("nhs-confidential", .officialSensitive, "NHS CONFIDENTIAL"),
        ("not protectively marked", .official, "NOT PROTECTIVELY MARKED"), ("  official  ", .official, nil),
    ])
    func acceptsCurrentAndLegacyMarkings(text: String, marking: Marking, legacy: String?) throws {
        let parsed = try Marking.parse(text)
        #expect(parsed.marking == marking)
        #expect(parsed.legacy == legacy)
    }

    @Test(arguments: ["SECRET", "TOP SECRET", "top-secret", "", "PUBLIC", "OFFICIALX", "OFFICIAL SENSITIVE SECRET", "SUPER SECRET",
                      "OFFICIAL-SENSITIVE BANANA", "PERSONAL", "SENSITIVE", "NHS", "CONFIDENTIAL SECRET", "OFFICIAL SENSITIVE PERSONAL PERSONAL",
                      "UNCLASSIFIED PERSONAL", "SECRET PERSONAL"])
    func refusesAnythingElse(text: String) {
        #expect(throws: SafehavenError.self) { try Marking.parse(text) }
    }

    @Test func bothProtectFormsAreOneTier() throws {
        #expect(try Marking.parse("PROTECT").marking == Marking.parse("PROTECT - PERSONAL").marking)
    }

    @Test func confidentialAsksTheSenderToCheckWithTheOriginator() throws {
        let parsed = try Marking.parse("Confidential")
        #expect(parsed.warning?.contains("SECRET") == true && parsed.warning?.contains("check") == true)
        #expect(try Marking.parse("OFFICIAL-SENSITIVE PERSONAL").descriptor == "PERSONAL")
        #expect(try Marking.parse("OFFICIAL-SENSITIVE").warning == nil)
    }

    /// Whatever a person types, the answer is one of the two markings or a clear refusal, never
    /// a crash, and never OFFICIAL for anything that said SENSITIVE, PROTECT, RESTRICTED or CONFIDENTIAL.
    @Test func anyTextGivesAMarkingOrARefusal() {
        let words = ["OFFICIAL", "SENSITIVE", "PROTECT", "PERSONAL", "RESTRICTED", "CONFIDENTIAL", "NHS", "SECRET", "-", ":", "–", "x", ""]
        // Every sequence of up to three words, exhaustively.
        for text in words.flatMap({ a in words.flatMap { b in words.map { c in [a, b, c].joined(separator: " ") } } }) {
            guard let parsed = try? Marking.parse(text) else { continue }
            let upper = text.uppercased()
            if ["SENSITIVE", "PROTECT", "RESTRICTED", "CONFIDENTIAL", "PERSONAL"].contains(where: upper.contains) {
                #expect(parsed.marking == .officialSensitive, "\(text)")
            }
            #expect(!upper.contains("SECRET"), "\(text) was accepted")
        }
    }
}

@Suite struct EmailAddressTests {
    @Test func normalisesCaseSpaceAndTrailingDot() throws {
        #expect(try EmailAddress.normalise("  Bob.Jones@NHS.Net. ") == "bob.jones@nhs.net")
    }

    @Test(arguments: ["", "bob", "bob@", "@nhs.net", "bob@nhs", "bob@@nhs.net", "bo b@nhs.net", "bob@nhs..net",
                      "bob@-nhs.net", ".bob@nhs.net", "bob.@nhs.net", "b..ob@nhs.net", "bob@nhs.net\r\nBcc: x@y.z",
                      "\"bob\"@nhs.net", "bob@[127.0.0.1]", String(repeating: "a", count: 65) + "@nhs.net"])
    func rejectsMalformedAddresses(address: String) {
        #expect(throws: SafehavenError.self) { try EmailAddress.normalise(address) }
    }
}

@Suite struct FileNameTests {
    @Test(arguments: [
        ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\report.docx", "report.docx"), ("..", "file"),
        ("/", "file"), ("", "file"), (".hidden", "hidden"), ("a\u{0}b\nc.txt", "abc.txt"),
        ("evil\u{202E}fdp.exe", "evilfdp.exe"), ("what?<>.pdf", "what___.pdf"), ("naïve café.txt", "naïve café.txt"),
    ])
    func makesNamesSafe(raw: String, expected: String) {
        #expect(FileName.sanitise(raw) == expected)
    }

    @Test func boundsLongNamesButKeepsTheExtension() {
        let name = FileName.sanitise(String(repeating: "x", count: 5000) + ".pdf")
        #expect(name.count == FileName.maxLength)
        #expect(name.hasSuffix(".pdf"))
    }

    @Test func asciiFallbackHasNoQuotesOrControls() {
        #expect(FileName.asciiFallback("a\"b\\c;d%é.txt") == "a_b_c_d__.txt")
    }
}

@Suite struct PasswordPolicyTests {
    @Test(arguments: ["violet-harbour-lantern-42", "three random words here", "Tr0ub4dor&3-horse-x"])
    func acceptsLongUncommonPasswords(password: String) throws {
        try PasswordPolicy.check(password, email: "alice@merton.gov.uk", name: "Alice Smith")
    }

    @Test(arguments: ["short", "elevenchars", "password1234", "Password12345678", "qwertyuiop123", "aaaaaaaaaaaaaaaa",
                      "abcdefghijklmnop", "123456789012", "alicesmith1234", "safehaven12345", "correcthorsebatterystaple"])
    func refusesWeakPasswords(password: String) {
        #expect(throws: SafehavenError.self) { try PasswordPolicy.check(password, email: "alicesmith@merton.gov.uk", name: "Alice Smith") }
    }

    /// From the shipped list (tens of thousands of breached passwords), not only the few in code.
    @Test(arguments: ["ihateyou12345", "Chocolate2026!!", "sweetheart123!", "1qaz2wsx3edc4rfv", "Scooby-Doo-2025", "butterfly12345",
                      "mustang-1966", "peanutbutter"])
    func refusesBreachedPasswordsFromTheShippedList(password: String) {
        #expect(throws: SafehavenError.self) { try PasswordPolicy.check(password) }
    }

    @Test func theShippedListIsLoaded() {
        #expect(CommonPasswords.shipped.count > 30_000)
        #expect(CommonPasswords.shipped.contains("trustno1") && !CommonPasswords.shipped.contains("# passwords seen most often"))
    }
}

@Suite struct ShareStatusTests {
    @Test func statusFollowsRevocationExpiryAndDestruction() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var share = Share(id: "s", senderID: "u", senderOrganisationID: "o", subject: "x", messageSealed: "m", wrappedKey: "k",
                          marking: .official, legacyMarking: nil, purpose: "p", handling: "", viewOnly: false,
                          requireReceipt: false, createdAt: t0, expiresAt: t0.addingTimeInterval(100), parentID: nil, threadID: "s")
        #expect(share.status(at: t0) == .active)
        #expect(share.status(at: t0.addingTimeInterval(100)) == .expired)
        share.destroyedAt = t0
        #expect(share.status(at: t0) == .destroyed)
        share.revokedAt = t0
        #expect(share.status(at: t0) == .revoked)
    }
}

@Suite struct ISODateTests {
    @Test(arguments: [0.0, 1_790_000_000.123, 951_782_400.5, 4_102_444_799.999, 1_709_164_800])
    func formatsAsFoundationDoes(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let foundation = ISO8601DateFormatter()
        foundation.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(ISODate.format(date) == foundation.string(from: date))
        #expect(ISODate.parse(ISODate.format(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }

    @Test func readsOffsetsAndRefusesNonsense() {
        #expect(ISODate.parse("2026-12-01T17:00:00Z") == Date(timeIntervalSince1970: 1_796_144_400))
        #expect(ISODate.parse("2026-12-01T18:00:00+01:00") == Date(timeIntervalSince1970: 1_796_144_400))
        #expect(ISODate.parse("2026-12-01T17:00:00.250Z") == Date(timeIntervalSince1970: 1_796_144_400.25))
        for bad in ["", "2026-12-01", "2026-02-31T00:00:00Z", "2026-12-01T17:00:00", "2026-13-01T00:00:00Z",
                    "2026-12-01T17:00:00Zjunk", "２０２６-12-01T17:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01T17:00:00.Z"] {
            #expect(ISODate.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct FileNameUnicodeTests {
    @Test(arguments: [
        ("cafe\u{301}.txt", "café.txt"),                       // NFD becomes NFC
        ("zero\u{200B}width\u{FEFF}.pdf", "zerowidth.pdf"),      // format characters
        ("line\u{2028}para\u{2029}.txt", "linepara.txt"),       // line and paragraph separators
        ("report. . .", "report"), ("notes.txt. ", "notes.txt"), // trailing dots and spaces
        ("\u{E000}private.doc", "private.doc"),                  // private use
    ])
    func normalisesAndStrips(raw: String, expected: String) {
        #expect(FileName.sanitise(raw) == expected)
    }

    @Test func boundsInUTF8BytesOnCharacterBoundaries() {
        for piece in ["é", "😀", "👩‍👩‍👧", "中"] {
            let name = FileName.sanitise(String(repeating: piece, count: 300) + ".pdf")
            #expect(name.utf8.count <= FileName.maxLength)
            #expect(name.hasSuffix(".pdf"))
            #expect(name.dropLast(4).allSatisfy { String($0) == piece } || piece == "👩‍👩‍👧")
        }
    }
}
