import Foundation

/// Facts that hold whatever profile is in force, because they are about the world today rather
/// than about one document: networks that have closed or been renamed since a seed was written,
/// and misprints in the seeds that must never be trusted.
public enum TodaysFacts {
    public struct Closed: Sendable {
        public let suffix: String
        public let closed: String
        public let note: String
    }

    /// The Government Secure Intranet family, closed on 31 March 2019.
    public static let closedNetworks: [Closed] = ["gsi.gov.uk", "gsx.gov.uk", "gse.gov.uk", "gcsx.gov.uk", "scn.gov.uk", "gsisup.co.uk", "pnn.gov.uk"]
        .map { Closed(suffix: $0, closed: "2019-03-31", note: "the GSi family of secure domains closed on 31 March 2019; these addresses are now ordinary internet email") }

    public struct Renamed: Sendable {
        public let old: String
        public let new: String
        public let note: String
    }

    /// Networks a seed names that now go by another name.
    public static let renamedNetworks: [Renamed] = [
        Renamed(old: "N3", new: "HSCN",
                note: "N3, the NHS network a seed names, was replaced by the Health and Social Care Network (HSCN) from 2017; check the connection still exists on HSCN"),
    ]

    public struct Misprint: Sendable {
        public let suffix: String
        public let meant: String
        public let source: String
    }

    /// Domains a seed prints by mistake. Nobody runs a secure service there; an address under one
    /// is a look-alike of what was meant, under every profile.
    public static let misprints: [Misprint] = [
        Misprint(suffix: "cjasm.net", meant: "cjsm.net", source: "the London CAF protocol annex (seed 001) prints cjasm.net for CJSM's cjsm.net"),
    ]
}
