import Foundation

/// The rules found in each source document, as named profiles, and today's position as the
/// default. Each profile reproduces its document's own lists and examples, including its
/// mistakes, which are flagged rather than trusted (see docs/policy.md).
public enum BuiltInProfiles {
    public static let defaultName = "uk-current"
    public static var names: [String] { all.map(\.name) }
    public static var all: [RoutePolicy] { [ukCurrent, merton, panLondon, swindon, nhsIGToolkit] }

    public static func named(_ name: String) -> RoutePolicy? {
        all.first { $0.name == name.lowercased() }
    }

    /// The Government Secure Intranet family, closed in 2019.
    static let gsiFamily: [RoutePolicy.Retired] = ["gsi.gov.uk", "gsx.gov.uk", "gse.gov.uk", "gcsx.gov.uk", "scn.gov.uk", "gsisup.co.uk", "pnn.gov.uk"]
        .map {
            RoutePolicy.Retired(suffix: $0, since: "2019-03-31",
                                note: "the GSi family of secure domains was closed in 2019; these addresses are now ordinary internet email")
        }

    /// Today: NHSmail and the police network meet the secure email standard (DCB1596) and CJSM
    /// still runs; the GSi family is retired.
    public static let ukCurrent = RoutePolicy(
        name: "uk-current",
        description: "The position after the GSi family closed in 2019: NHSmail, police and CJSM remain secure; other public-sector mail needs checking against the secure email standard.",
        sources: [
            "NHS Digital, DCB1596 Secure Email standard (2017, in force since 2018)",
            "Government Digital Service, closure of the GSi/GCSx/GSX/GSE/SCN domains, 31 March 2019",
            "Ministry of Justice, Criminal Justice Secure eMail (CJSM) service",
        ],
        communities: [
            .init(name: "Secure email standard (DCB1596)", suffixes: ["nhs.net", "pnn.police.uk", "police.uk", "cjsm.net", "mod.gov.uk"], hub: nil,
                  note: "NHSmail, police forces (their current police.uk addresses as well as pnn.police.uk), CJSM and the MoD meet the secure email standard; other accredited organisations are the ones your administrator lists."),
        ],
        relays: [
            .init(name: "CJSM", suffix: "cjsm.net", registered: [], secureSenders: ["nhs.net", "pnn.police.uk", "mod.gov.uk"],
                  note: "CJSM protects mail to and from criminal justice partners.",
                  registrable: ["gov.uk", "police.uk", "nhs.uk", "org.uk", "sch.uk", "ac.uk", "mod.uk", "co.uk"]),
        ],
        retired: gsiFamily,
        watched: [],
        encryptionServices: ["NHSmail encryption", "Egress"])

    /// London Borough of Merton guidance (seeds 000 and 001, 2009–2017).
    public static let merton = RoutePolicy(
        name: "merton",
        description: "Merton's local guidance: council, NHS, police and central government networks; CJSM for Merton staff.",
        sources: ["Merton Council, guidance on transferring information about identifiable individuals (seed 000)"],
        networks: [
            .init(name: "Merton Council", domains: ["merton.gov.uk"]),
            .init(name: "NHSmail", domains: ["nhs.net"]),
            .init(name: "Merton schools (London Grid for Learning)", domains: ["merton.sch.uk"]),
        ],
        communities: [
            .init(name: "Government Secure Community", suffixes: ["nhs.net", "pnn.police.uk", "gsi.gov.uk", "gsx.gov.uk", "gcsx.gov.uk"], hub: nil,
                  note: "NHS, police and central government exchange securely; local authority addresses are not part of it."),
        ],
        relays: [
            .init(name: "CJSM", suffix: "cjsm.net", registered: ["merton.gov.uk"],
                  secureSenders: ["nhs.net", "pnn.police.uk", "gsi.gov.uk", "gsx.gov.uk", "gcsx.gov.uk"],
                  note: "Every merton.gov.uk address is registered with CJSM; NHS colleagues must use nhs.net, not local nhs.uk addresses.",
                  registrable: ["gov.uk"]),
        ],
        watched: ["merton.gcsx.gov.uk"])

    /// The pan-London CAF protocol annex on sharing securely (seed 001, April 2009), as its own
    /// profile: it prints CJSM's suffix as `cjasm.net` throughout, a misprint that is flagged, never
    /// trusted (see `TodaysFacts.misprints`).
    public static let panLondon = RoutePolicy(
        name: "pan-london",
        description: "The London CAF protocol annex: each organisation's own network, the Government Secure Community of NHS, police and central government, and CJSM for local authorities and others registered with it.",
        sources: ["Young London Matters / ALDCS, London CAF Protocol Annex 4: Sharing Information Securely (April 2009) (seed 001)"],
        networks: [
            .init(name: "NHSmail", domains: ["nhs.net"]),
            .init(name: "Metropolitan Police", domains: ["met.pnn.police.uk"]),
            .init(name: "Merton Council (the annex's example; other boroughs: check with your lead CAF contact)", domains: ["merton.gov.uk"]),
        ],
        communities: [
            .init(name: "Government Secure Community", suffixes: ["nhs.net", "met.pnn.police.uk", "pnn.police.uk", "gsi.gov.uk"], hub: nil,
                  note: "NHS, police and central government share this platform; a local authority is outside it, reached through CJSM."),
        ],
        relays: [
            .init(name: "CJSM", suffix: "cjsm.net", registered: [],
                  secureSenders: ["nhs.net", "met.pnn.police.uk", "gsi.gov.uk", "gsx.gov.uk"],
                  note: "The annex lists NHS, Metropolitan Police, government departments and other councils as signed up; an authority's address must be registered before it is secure. (The annex prints the suffix as cjasm.net.)",
                  registrable: ["gov.uk", "sch.uk"]),
        ],
        watched: [])

    /// Swindon Borough Council guidance (seed 003, 2017): the GCSx list exactly as printed.
    public static let swindon = RoutePolicy(
        name: "swindon",
        description: "Swindon's guidance: its own network, the N3 link to Great Western Hospital, and GCSx-type accounts at both ends.",
        sources: ["Swindon Borough Council, information sharing guidance for children, families and community health (2017)"],
        networks: [.init(name: "Swindon Borough Council", domains: ["swindon.gov.uk"])],
        communities: [
            .init(name: "GCSx secure email network",
                  suffixes: ["gcsx.gov.uk", "nhs.net", "mod.net", "cjsm.net", "gsx.gov.uk", "gsi.gov.uk", "gse.gov.uk", "gsisup.co.uk",
                             "pnn.gov.uk", "pnn.police.uk", "scn.gov.uk"], hub: nil,
                  note: "Sender and recipient must both hold one of these accounts; a plain .gov.uk address is not enough. (The list prints mod.net; the Ministry of Defence's domain was mod.uk.)"),
        ],
        links: [
            .init(name: "N3 link between Swindon Borough Council and Great Western Hospital", from: ["swindon.gov.uk"], to: ["gwh.nhs.uk"],
                  note: "The guidance names the hospital, not its domain; gwh.nhs.uk is the hospital trust's domain."),
        ],
        watched: ["wiltshire.gov.uk"],
        prohibited: [.init(channel: "encrypted-archive",
                           reason: "Swindon's guidance forbids regular email with password protection as not secure enough (seed 003, 4.5): use GCSx or Egress.")],
        encryptionServices: ["Egress"])

    /// NHS Information Governance Toolkit guidance on secure transfers (seed 004): NHSmail to
    /// NHSmail, or NHSmail to the listed government secure domains.
    public static let nhsIGToolkit = RoutePolicy(
        name: "nhs-ig-toolkit",
        description: "NHSmail is the approved route for patient data by email, between NHSmail accounts or to the listed government secure domains.",
        sources: ["NHS Information Governance Toolkit, Information Security Assurance: detailed guidance on secure transfers"],
        networks: [.init(name: "NHSmail", domains: ["nhs.net"])],
        communities: [
            .init(name: "NHSmail and government secure domains",
                  suffixes: ["nhs.net", "gsi.gov.uk", "pnn.police.uk", "gse.gov.uk", "gsx.gov.uk", "gcsx.gov.uk", "scn.gov.uk", "cjsm.net", "mod.uk"],
                  hub: "nhs.net", note: "One end must be an NHSmail account."),
        ],
        watched: [])
}

extension RoutePolicy {
    /// The policy to use: a file when given (validated), else a built-in profile by name, else the default.
    public static func resolve(profile: String?, file: String?) throws -> RoutePolicy {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PolicyError("cannot read the policy file \(file)")
            }
            do {
                return try load(file: data)
            } catch let error as PolicyError {
                throw PolicyError("\(file): \(error.description)")
            }
        }
        let name = profile ?? BuiltInProfiles.defaultName
        guard let policy = BuiltInProfiles.named(name) else {
            throw PolicyError("unknown profile '\(name)': choose one of \(BuiltInProfiles.names.joined(separator: ", "))")
        }
        return policy
    }
}
