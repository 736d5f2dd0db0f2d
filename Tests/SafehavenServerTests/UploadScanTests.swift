import Foundation
import Hummingbird
import HummingbirdTesting
import SafehavenArchive
import SafehavenCore
import SafehavenServer
import SafehavenStorage
import SafehavenTestSupport
import Testing

/// Files are read as they stream in: identifiers of people in text files are counted (never
/// kept) and feed the large-numbers rule and the authorisation trigger.
@Suite struct UploadScanTests {
    /// `n` distinct valid NHS numbers (modulus 11 check digit).
    static func nhsNumbers(_ n: Int) -> [String] {
        var out: [String] = []
        var base = 400_000_000
        while out.count < n {
            base += 7919
            let digits = String(base).compactMap(\.wholeNumberValue)
            let sum = (0..<9).reduce(0) { $0 + digits[$1] * (10 - $1) }
            let check = 11 - sum % 11
            if check == 10 { continue }
            out.append(String(base) + String(check == 11 ? 0 : check))
        }
        return out
    }

    static func csv(_ numbers: [String], padding: Int = 0) -> Data {
        var text = "nhs_number,notes\n"
        for (i, n) in numbers.enumerated() {
            let spaced = "\(n.prefix(3)) \(n.dropFirst(3).prefix(3)) \(n.suffix(4))"
            text += "\(i % 2 == 0 ? n : spaced),\(String(repeating: "x", count: padding))\n"
        }
        return Data(text.utf8)
    }

    @Test func theTallyCountsTheSameHoweverTheBytesArrive() {
        let data = Self.csv(Self.nhsNumbers(50), padding: 3000)
        #expect(data.count > 128 * 1024, "long enough to cross the scanning window")
        var whole = IdentifierTally()
        whole.update(data)
        #expect(whole.finish() == 50)
        for size in [1, 7, 4096, 65_537] {
            var tally = IdentifierTally()
            var offset = 0
            while offset < data.count {
                tally.update(data[offset..<min(offset + size, data.count)])
                offset += size
            }
            #expect(tally.finish() == 50, "chunks of \(size)")
        }
        var capped = IdentifierTally(cap: 10)
        capped.update(data)
        #expect(capped.finish() == 10)
        #expect(IdentifierTally.reads(name: "list.CSV", contentType: "application/octet-stream"))
        #expect(!IdentifierTally.reads(name: "scan.pdf", contentType: "application/pdf"))
    }

    @Test(arguments: TestDatabase.available)
    func aCSVOfFiftyNHSNumbersIsBulkDataAndWaitsForAManager(db: TestDatabase) async throws {
        try await withAPI(db) { api, env, people in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let csv = Self.csv(Self.nhsNumbers(50))
            // "Not about anyone" is refused when a file names people, and nothing is left behind.
            let refused = try await api.send(token: alice, API.share(), files: [("cohort.csv", csv)])
            #expect(refused.errorCode == "invalid_basis")
            #expect(try await env.store.count("SELECT COUNT(*) AS n FROM shares") == 0)
            let blobs = try env.runtime.blobs.count()
            #expect(blobs == 0)
            // The same bytes as a binary file are not read; a short list is not bulk.
            #expect(try await api.send(token: alice, API.share(), files: [("cohort.bin", csv)]).status == .created)
            // Under consent, fifty identifiers are large numbers: held for a manager, the count (never the values) recorded.
            try await env.consentedSubject("COHORT-7", for: people, manager: true)
            let few = try await api.send(token: alice, API.share(["basis": "consent", "caseReferences": ["COHORT-7"]]),
                                         files: [("few.csv", Self.csv(Self.nhsNumbers(3)))])
            #expect(try few.json["status"] as? String == "active")
            let bulk = try await api.send(token: alice, API.share(["basis": "consent", "caseReferences": ["COHORT-7"]]), files: [("cohort.csv", csv)])
            let bulkStatus = try bulk.json["status"] as? String
            #expect(bulk.status == .created && bulkStatus == "pending_authorisation")
            let checks = try #require(try bulk.json["policyChecks"] as? [String: Any])
            #expect(checks["identifiersInFiles"] as? Int == 50 && checks["largeNumbers"] as? Bool == true)
            let id = try #require(try bulk.json["id"] as? String)
            let notes = try #require(try await env.store.read { try await $0.share(id: id) }?.policyNotes)
            #expect(!notes.contains(Self.nhsNumbers(1)[0]))
        }
    }

    /// A Word document and an Excel workbook built by Python's zipfile (deflated parts, sizes in
    /// the local headers, as Office writes them), holding `numbers`.
    static func office(_ numbers: [String], kind: String) throws -> Data {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("office-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("numbers.txt")
        try numbers.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.\(kind)")
        let script = """
        import sys, zipfile
        nums = open(sys.argv[1]).read().split()
        z = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
        z.writestr("[Content_Types].xml", "<Types/>")
        if sys.argv[3] == "docx":
            # Each number split across two runs, as Word often stores typed text.
            body = "".join(f'<w:p><w:r><w:t>{n[:3]} {n[3:6]}</w:t></w:r><w:r><w:t xml:space="preserve"> {n[6:]}</w:t></w:r></w:p>' for n in nums)
            z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>{body}</w:body></w:document>')
        else:
            half = len(nums) // 2
            z.writestr("xl/sharedStrings.xml", "<sst>" + "".join(f"<si><t>{n}</t></si>" for n in nums[:half]) + "</sst>")
            z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + "".join(f'<row r="{i}"><c r="A{i}"><v>{n}</v></c><c r="B{i}"><v>{i}</v></c></row>' for i, n in enumerate(nums[half:])) + "</sheetData></worksheet>")
        z.writestr("docProps/app.xml", "<Properties>9434765919</Properties>")
        z.close()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, list.path, out.path, kind]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: out)
    }

    @Test func wordAndExcelFilesAreReadForIdentifiersAsTheyStream() throws {
        let numbers = Self.nhsNumbers(30)
        for kind in ["docx", "xlsx"] {
            let data = try Self.office(numbers, kind: kind)
            for size in [1, 13, 4096, data.count] {
                var stream = OfficeTextStream()
                var tally = IdentifierTally()
                var offset = 0
                while offset < data.count {
                    stream.update(data[offset..<min(offset + size, data.count)]) { tally.update($0) }
                    offset += size
                }
                // docProps is not read: only the parts that hold the document's text.
                #expect(tally.finish() == 30, "\(kind) in chunks of \(size)")
            }
        }
        // A part that expands without end stops at the cap; garbage is not an error.
        var capped = OfficeTextStream(cap: 1000)
        var seen = 0
        capped.update(try Self.office(Self.nhsNumbers(200), kind: "xlsx")) { seen += $0.count }
        #expect(seen <= 1000 + 64 * 1024)
        var junk = OfficeTextStream()
        junk.update(Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })) { _ in Issue.record("junk produced text") }
    }

    @Test(arguments: TestDatabase.available)
    func aWorkbookOfThirtyNHSNumbersIsBulkData(db: TestDatabase) async throws {
        try await withAPI(db) { api, _, _ in
            let alice = try await api.login("alice@merton.gov.uk", TestEnvironment.alicePassword)
            let refused = try await api.send(token: alice, API.share(), files: [("cohort.xlsx", try Self.office(Self.nhsNumbers(30), kind: "xlsx"))])
            #expect(refused.errorCode == "invalid_basis")
            let message = try refused.decode(ErrorReply.self).error.message
            #expect(message.contains("30 identifiers"))
        }
    }
}
