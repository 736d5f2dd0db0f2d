import Foundation

/// What the sender tells the advisor.
public struct AdviceRequest: Codable, Equatable, Sendable {
    public var marking: String
    /// How many identifiable people the information is about.
    public var people: Int
    public var urgency: Urgency
    public var from: String
    public var to: String
    /// Whether the recipient has a Safehaven account.
    public var recipientHasAccount: Bool
    /// The channels the sender can actually use; nil for all.
    public var available: [Channel]?

    public enum Urgency: String, Codable, Sendable { case routine, urgent }

    public init(marking: String, people: Int, urgency: Urgency, from: String, to: String,
                recipientHasAccount: Bool = true, available: [Channel]? = nil) {
        self.marking = marking
        self.people = people
        self.urgency = urgency
        self.from = from
        self.to = to
        self.recipientHasAccount = recipientHasAccount
        self.available = available
    }
}

public struct ChannelAdvice: Codable, Equatable, Sendable {
    public var channel: Channel
    public var title: String
    public var suitable: Bool
    /// 1 is best; unsuitable channels have no rank.
    public var rank: Int?
    public var why: String
    public var checklist: Checklist
}

public struct Advice: Codable, Equatable, Sendable {
    public var marking: String
    public var people: Int
    /// "single", "several" or "large numbers".
    public var scale: String
    public var route: RouteVerdict
    /// Suitable channels first, best first, then the unsuitable ones with the reason.
    public var channels: [ChannelAdvice]
    public var never: [String]
}

/// Recommends how to share, risk-based: more people or higher sensitivity narrows the options.
public struct ChannelAdvisor: Sendable {
    /// From this many people, information counts as being about "large numbers of people" (the
    /// default of `Limits.largeNumbers`; see docs/policy.md for why 20).
    public static let largeNumbers = 20
    public let engine: RouteEngine
    public let threshold: Int

    public init(engine: RouteEngine, largeNumbers: Int = ChannelAdvisor.largeNumbers) {
        self.engine = engine
        self.threshold = largeNumbers
    }

    public func advise(_ request: AdviceRequest) throws -> Advice {
        let marking = try Marking.parse(request.marking).marking
        guard request.people >= 1, request.people <= 10_000_000 else {
            throw SafehavenError.invalid("people", "Say how many identifiable people the information is about (at least 1).")
        }
        let route = try engine.evaluate(from: request.from, to: request.to)
        let sensitive = marking == .officialSensitive
        let bulk = request.people >= threshold
        let policy = engine.policy
        let fromDomain = (try? EmailAddress.normalise(request.from)).map(EmailAddress.domain(of:)) ?? ""
        let several = request.people > 1
        let urgent = request.urgency == .urgent
        let available = Set(request.available ?? Channel.allCases)

        func judge(_ channel: Channel) -> (Bool, Int, String) {
            if let prohibition = policy.prohibited.first(where: { $0.channel == channel.rawValue }) {
                return (false, 0, "Not allowed under the \(policy.name) profile: \(prohibition.reason)")
            }
            switch channel {
            case .safehaven:
                if !request.recipientHasAccount {
                    return (false, 0, "The recipient has no Safehaven account yet; until invitations arrive, use another channel or ask an administrator to add them.")
                }
                return (true, 10, "Encrypted end to end at rest, tracked per recipient, time-limited and revocable: the best fit for any sensitivity or number of people.")
            case .secureEmail:
                if !route.secure {
                    // A relay the sender is registered with (CJSM) makes a secure route to this recipient.
                    if let relay = route.reasons.first(where: { $0.contains("instead") }) {
                        return (true, bulk ? 35 : 22, "Not directly, but through a relay: \(relay)")
                    }
                    return (false, 0, "Direct email between these addresses is not secure (\(route.rule)).")
                }
                return (true, bulk ? 30 : 20, "Both addresses are on a secure route (\(route.rule)); keep identifying details out of the subject.")
            case .encryptedArchive:
                if bulk { return (false, 0, "Information about large numbers of people needs a secure route, not an emailed archive.") }
                return (true, sensitive ? 40 : 30, "A 256-bit AES archive protects the content in transit if the password travels separately, by telephone.")
            case .post:
                if bulk { return (false, 0, "Large volumes of personal information by post need a secure courier arranged by your information governance team.") }
                if urgent { return (false, 0, "Post is too slow for urgent information.") }
                return (true, sensitive ? 60 : 50, sensitive ? "Acceptable with a double envelope and a signed-for service." : "Acceptable with a double envelope.")
            case .fax:
                if bulk || several { return (false, 0, "Fax is only a last resort, for one person's details when nothing else will do.") }
                if !urgent { return (false, 0, "Fax is a last resort for urgent cases only; use a secure electronic route.") }
                return (true, 90, "A last resort for urgent, single-person information, with the recipient waiting at the machine.")
            case .telephone:
                if bulk { return (false, 0, "Details of many people cannot be given safely over the telephone.") }
                if several && sensitive { return (false, 0, "Sensitive details of several people should be written down securely, not read out.") }
                return (true, urgent ? 15 : 70, urgent ? "Quickest for urgent single-person information, once you have verified who you are speaking to." : "Suitable for brief information once the caller is verified.")
            case .inPerson:
                return (true, bulk ? 50 : 80, "Safe when the information is sealed, logged off site and handed only to the named person.")
            case .removableMedia:
                return (true, bulk ? 40 : 85, bulk ? "For large volumes, an AES-256 encrypted device sent by secure courier (not the post), with the password given separately." : "Only on an approved AES-256 encrypted device, and only when no electronic route is available.")
            case .encryptedEmail:
                if route.secure { return (false, 0, "Not needed: direct email between these addresses is already on a secure route.") }
                let nhsmail = DomainMatch.matches(fromDomain, suffix: "nhs.net")
                let services = policy.encryptionServices.filter { nhsmail || !$0.hasPrefix("NHSmail") }
                guard !services.isEmpty else {
                    return (false, 0, "No encrypted email service is named for this sender under the \(policy.name) profile.")
                }
                if bulk { return (false, 0, "Information about large numbers of people needs Safehaven or a secure route, not encrypted email to an ordinary address.") }
                return (true, sensitive ? 35 : 25, "Encrypts mail to an address that is not on a secure route: \(services.joined(separator: " or ")).")
            case .sms:
                return (false, 0, "Text messages may carry only minimal content, such as an appointment reminder with the person's consent, never the information itself.")
            case .instantMessaging:
                return (false, 0, "Instant messaging is not approved for personal information; use it at most to say where to find it.")
            }
        }

        var suitable: [ChannelAdvice] = []
        var unsuitable: [ChannelAdvice] = []
        for channel in Channel.allCases {
            let (ok, score, why) = judge(channel)
            let advice = ChannelAdvice(channel: channel, title: channel.title, suitable: ok && available.contains(channel), rank: nil,
                                       why: available.contains(channel) ? why : "Not available to you.",
                                       checklist: Checklists.checklist(for: channel))
            if ok && available.contains(channel) { suitable.append(advice); suitable[suitable.count - 1].rank = score } else { unsuitable.append(advice) }
        }
        suitable.sort { ($0.rank ?? 0, $0.channel.rawValue) < ($1.rank ?? 0, $1.channel.rawValue) }
        for i in suitable.indices { suitable[i].rank = i + 1 }
        return Advice(marking: marking.rawValue, people: request.people,
                      scale: bulk ? "large numbers" : several ? "several" : "single", route: route,
                      channels: suitable + unsuitable, never: Checklists.never.keys.sorted().map { Checklists.never[$0]! })
    }
}
