import Foundation

/// Ways information can travel between practitioners.
public enum Channel: String, Codable, CaseIterable, Sendable {
    case safehaven
    case secureEmail = "secure-email"
    case encryptedArchive = "encrypted-archive"
    case post
    case fax
    case telephone
    case inPerson = "in-person"
    case removableMedia = "removable-media"

    public var title: String {
        switch self {
        case .safehaven: return "Safehaven share"
        case .secureEmail: return "Secure email"
        case .encryptedArchive: return "Encrypted archive, password by telephone"
        case .post: return "Post"
        case .fax: return "Fax"
        case .telephone: return "Telephone"
        case .inPerson: return "In person"
        case .removableMedia: return "Removable media"
        }
    }
}

/// The practical steps for one channel and what must never be done, in Safehaven's own words.
public struct Checklist: Codable, Equatable, Sendable {
    public var steps: [String]
    public var mustNot: [String]
    /// Printable artefacts the steps call for.
    public var artefacts: [String]
}

public enum Checklists {
    public static func checklist(for channel: Channel) -> Checklist {
        switch channel {
        case .safehaven:
            return Checklist(steps: [
                "Check each recipient's address against your records before you send; pick people, not shared mailboxes.",
                "Write a subject that says what the share is for without naming or identifying anyone.",
                "Say why you are sharing (the purpose) and any limits on further use in the handling instructions.",
                "Choose the protective marking, an expiry no longer than the recipient needs, and view-only where a copy is not needed.",
                "Ask for confirmation of receipt when the recipient must act on the information.",
                "Watch the tracking: if the share is not opened when expected, phone the recipient; withdraw it at once if it went to the wrong person.",
            ], mustNot: [
                "Do not put names, dates of birth, NHS numbers or addresses in the subject.",
                "Do not add people who do not need the information.",
            ], artefacts: [])
        case .secureEmail:
            return Checklist(steps: [
                "Confirm that both your address and the recipient's are on a secure route (ask Safehaven: safehaven route FROM TO).",
                "Confirm the recipient's name, team and address; type the address rather than trusting auto-complete.",
                "Mark the message with its protective marking and ask for a delivery and read receipt.",
                "Keep a copy of what was sent, to whom and when, and record the disclosure.",
            ], mustNot: [
                "Do not put anything that identifies a person in the subject line.",
                "Do not reply to all or copy in anyone who does not need the information.",
                "Do not treat an ordinary internet address as secure because it belongs to a public body.",
            ], artefacts: [])
        case .encryptedArchive:
            return Checklist(steps: [
                "Put the documents in a 256-bit AES encrypted ZIP (Safehaven can make one and generate its password).",
                "Keep the original files safe; the archive is a copy for sending.",
                "Send the archive by email, then telephone the recipient on a number you have checked and read the password to them.",
                "For regular exchanges with the same partner, change the shared password at least every 90 days.",
                "Record what was sent and how.",
            ], mustNot: [
                "Never send the password in the same email as the archive, or in any email to the same address.",
                "Do not reuse a password you use for anything else.",
                "Do not use an archive for information about large numbers of people: use Safehaven or a secure route.",
            ], artefacts: ["encrypted-archive"])
        case .post:
            return Checklist(steps: [
                "Confirm the recipient's name, department and full postal address.",
                "Use two envelopes: mark the inner one 'Private and Confidential – to be opened by the addressee only' and put a return address on both.",
                "Put only the name and address on the outer envelope, with nothing that suggests what is inside.",
                "Use packaging strong enough to survive the journey.",
                "Send OFFICIAL-SENSITIVE material by a signed-for service or an approved courier, and ask the recipient to confirm it arrived.",
                "Record the disclosure.",
            ], mustNot: [
                "Do not address it only to an organisation: name the person.",
                "Do not mark the outer envelope with anything that draws attention to the contents.",
            ], artefacts: ["envelope"])
        case .fax:
            return Checklist(steps: [
                "Phone the recipient first to say a fax is coming and ask them to wait by the machine.",
                "Check the number twice, and use a pre-programmed number where you can.",
                "Use a cover sheet that says who it is for, marked 'Private and Confidential', with no names of the people concerned.",
                "Ask the recipient to confirm it arrived; keep the transmission report.",
                "Record that the fax was sent.",
            ], mustNot: [
                "Do not send to a machine in an open office unless someone is waiting for it.",
                "Do not put the names of the people concerned on the cover sheet.",
                "Do not fax when a secure electronic route exists: the NHS stopped using fax machines in 2020.",
            ], artefacts: ["fax-cover-sheet"])
        case .telephone:
            return Checklist(steps: [
                "Confirm the caller's name, job title, organisation and why they need the information.",
                "If you do not know them, call back through their organisation's published switchboard, not a number they give you.",
                "Make sure you cannot be overheard.",
                "Give the information only to the person who asked for it.",
                "Write down what you disclosed, to whom and why, and record the disclosure.",
            ], mustNot: [
                "Never leave personal details on voicemail or with a colleague who answers.",
                "Do not disclose anything if no call-back number can be given.",
                "Do not use text messages or instant messaging for sensitive details.",
            ], artefacts: [])
        case .inPerson:
            return Checklist(steps: [
                "Take personal information off site only when it is necessary and your manager agrees.",
                "Log what you are taking, why, and when it is due back.",
                "Carry paper in a sealed envelope or file; electronic copies only on encrypted devices.",
                "If travelling by car, lock it in the boot; keep it with you otherwise.",
                "Hand it only to the named recipient, bring anything left back as soon as you can, and record the return.",
            ], mustNot: [
                "Do not leave the information unattended, even briefly.",
                "Do not read or discuss it where others can see or hear.",
            ], artefacts: [])
        case .removableMedia:
            return Checklist(steps: [
                "Use only devices your organisation approves, encrypted with 256-bit AES.",
                "Keep a copy elsewhere so that a loss can be assessed.",
                "Send the password separately, by telephone to a known person.",
                "Send the device by signed-for post or courier, or hand it over in person.",
                "Wipe the information securely as soon as it has been delivered; break CDs and DVDs before disposal.",
            ], mustNot: [
                "Do not put unencrypted personal information on any removable device.",
                "Do not keep information on a device longer than needed.",
                "Report a lost or stolen device at once: do not wait to see if it turns up.",
            ], artefacts: ["encrypted-archive"])
        }
    }

    /// Channels never to use for sensitive details, and why.
    public static let never: [String: String] = [
        "sms": "Text messages are stored on phones and networks outside anyone's control: never use them for personal details.",
        "instant-messaging": "Consumer messaging apps are not approved for personal information: use them at most to say 'please check Safehaven'.",
        "regular-email": "Ordinary email across the internet is like a postcard: anyone handling it can read it.",
        "voicemail": "Messages left on voicemail can be heard by anyone with access to the phone.",
    ]
}
