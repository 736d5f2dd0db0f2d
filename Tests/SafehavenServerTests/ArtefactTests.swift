import Foundation
import SafehavenCore
import SafehavenServer
import Testing

@Suite struct ArtefactTests {
    let cover = FaxCover(toName: "Dr A Patel", toOrganisation: "St Helier Hospital", toFax: "020 8296 0000", fromName: "Alice Smith",
                         fromOrganisation: "Merton Council", fromSwitchboard: "020 8274 4901", pages: 3)

    /// Checked in Core, rendered by the server's template.
    func render(_ cover: FaxCover) throws -> String { try PageRenderer().faxCover(try cover.sheet()) }

    @Test func faxCoverSheetCarriesWhatTheChecklistAsksFor() throws {
        let html = try render(cover)
        #expect(html.hasPrefix("<!doctype html>"))
        for text in ["Private and Confidential", "Dr A Patel", "020 8274 4901", "<td>3</td>", "OFFICIAL-SENSITIVE"] {
            #expect(html.contains(text), "\(text)")
        }
    }

    @Test func faxCoverSheetRefusesIdentifyingDetailsAndEscapesHTML() throws {
        var bad = cover
        bad.toOrganisation = "Re: 943 476 5919"
        #expect(throws: SafehavenError.self) { try render(bad) }
        var hostile = cover
        hostile.toName = "<script>alert(1)</script>"
        let html = try render(hostile)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        var zero = cover
        zero.pages = 0
        #expect(throws: SafehavenError.self) { try render(zero) }
    }

    @Test func envelopeLabelsInnerWarnsOuterGivesNothingAway() throws {
        let html = try PageRenderer().envelope(try EnvelopeLabels(
            toName: "Bob Jones", toJobTitle: "Named nurse", toAddress: "St Helier Hospital\nWrythe Lane\nSM5 1AA",
            returnAddress: "Merton Council\nLondon Road\nSM4 5DX").labels())
        let inner = html.components(separatedBy: "id=\"inner\"")[1].components(separatedBy: "id=\"outer\"")[0]
        let outer = html.components(separatedBy: "id=\"outer\"")[1]
        #expect(inner.contains("Private and Confidential – to be opened by the addressee only"))
        #expect(inner.contains("Merton Council"))
        #expect(outer.contains("Bob Jones") && outer.contains("Wrythe Lane") && outer.contains("London Road"))
        #expect(!outer.contains("Confidential"))
        #expect(!outer.contains("Named nurse"))
    }
}
