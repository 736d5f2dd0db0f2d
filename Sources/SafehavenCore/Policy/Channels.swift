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
    /// An encryption service for mail to addresses that are not on a secure route: NHSmail's own
    /// encryption, or a portal product such as Egress.
    case encryptedEmail = "encrypted-email"
    case sms
    case instantMessaging = "instant-messaging"

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
        case .encryptedEmail: return "Encrypted email service (NHSmail encryption, Egress)"
        case .sms: return "Text message (SMS)"
        case .instantMessaging: return "Instant messaging"
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
                "Check first that the recipient can open 256-bit AES archives (7-Zip, WinZip or their operating system's tool).",
                "Put the documents in a 256-bit AES encrypted ZIP (Safehaven can make one and generate its password); keep file names free of names and identifiers, or wrap them in an inner archive.",
                "Keep the original files safe; the archive is a copy for sending.",
                "Send the archive by email and the password by another channel: telephone the recipient on a number you have checked and read it to them.",
                "For regular exchanges with the same partner, change the shared password at least every 90 days.",
                "Ask the recipient to save the files without the password in a secure place once opened, rather than relying on remembering it.",
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
                "Send OFFICIAL-SENSITIVE material by a signed-for and tracked service, or a secure courier, and always ask the recipient to confirm it arrived.",
                "Know your post room's arrangements: who signs for items, what happens to redirected post and to items that cannot be delivered.",
                "A secure courier is a company under written contract that collects, tracks and delivers, not a colleague passing by or the internal post.",
                "Digital data sent by post or courier must be encrypted (the NHS suspended unencrypted transfers in 2008).",
                "Record the disclosure.",
            ], mustNot: [
                "Do not address it only to an organisation: name the person.",
                "Do not mark the outer envelope with anything that draws attention to the contents.",
                "Do not post information about large numbers of people: arrange a secure courier through your information governance team, or better, send it electronically through Safehaven.",
            ], artefacts: ["envelope"])
        case .fax:
            return Checklist(steps: [
                "Phone the recipient first to say a fax is coming and ask them to wait by the machine.",
                "Check the number twice, and use a pre-programmed number where you can.",
                "Use a cover sheet that says who it is for, marked 'Private and Confidential', with no names of the people concerned.",
                "Ask the recipient to confirm it arrived; keep the transmission report.",
                "Record that the fax was sent.",
                "Receiving: keep the machine in a safe haven, a room that only authorised staff can enter, and collect faxes at once; outside office hours have them held securely or routed to a protected mailbox.",
            ], mustNot: [
                "Do not send to a machine in an open office unless someone is waiting for it.",
                "Do not put the names of the people concerned on the cover sheet.",
                "Do not fax when a secure electronic route exists: the NHS stopped using fax machines in 2020.",
                "Do not treat eFax or fax-to-email as secure: NHS guidance recognises no such service for routine transfers of personal data; it carries the risks of both email and fax.",
            ], artefacts: ["fax-cover-sheet"])
        case .telephone:
            return Checklist(steps: [
                "Confirm the caller's name, job title, organisation and why they need the information.",
                "If you do not know them, or anything about the request seems odd, end the call and ring back through their organisation's published switchboard rather than a direct line or mobile number they give you.",
                "Make sure you cannot be overheard, and that they cannot be either.",
                "Give only what is needed, and only to the person who asked for it.",
                "Write down the time of the call, what you disclosed, to whom, why and who authorised it, and record the disclosure.",
            ], mustNot: [
                "Never leave personal details on voicemail, an answering machine or with a colleague who answers; if even the fact that you called is confidential, leave no message without the person's permission.",
                "Do not disclose anything if no call-back number can be given.",
                "Do not put answering machines that record personal messages where anyone can hear or play them back.",
            ], artefacts: [])
        case .inPerson:
            return Checklist(steps: [
                "Take personal information off site only when it is necessary and your manager agrees.",
                "Log what you are taking, why, and when it is due back.",
                "Carry paper in a sealed envelope or file; electronic copies only on encrypted devices.",
                "If travelling by car, lock it in the boot; keep it with you otherwise.",
                "Hand it only to the named recipient, bring anything left back as soon as you can, and record the return.",
                "On return, file the information securely or dispose of it as confidential waste; do not keep copies at home.",
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
                "Using removable media for personal data needs the information asset owner's risk assessment first.",
                "If a device is lost or you suspect it may be, tell your line manager, the IT service desk and the data protection officer at once, saying what was on it and whether it was encrypted.",
            ], mustNot: [
                "Do not put unencrypted personal information on any removable device.",
                "Do not keep information on a device longer than needed.",
                "Do not wait to see if a lost device turns up before reporting it.",
                "Do not post a device holding information about large numbers of people: use a secure courier, or send it electronically through Safehaven.",
            ], artefacts: ["encrypted-archive"])
        case .encryptedEmail:
            return Checklist(steps: [
                "From an NHSmail account, type [secure] at the start of the subject (with the square brackets) to encrypt a message to any address; the recipient registers once to read it.",
                "Where your organisation provides a portal product such as Egress, use it as its guidance says; the recipient reads the message on the portal.",
                "Check the recipient's address, keep identifying details out of the subject (it is not encrypted) and record the disclosure.",
            ], mustNot: [
                "Do not assume an ordinary email is encrypted because it was sent from a public body.",
                "Do not put anything that identifies a person in the subject line.",
            ], artefacts: [])
        case .sms:
            return Checklist(steps: [
                "Use text messages only for minimal content, such as an appointment reminder, never for sensitive details.",
                "Only with the person's consent, having told them what the messages will say, and with a simple way to opt out.",
                "Check the number belongs to the intended person and is still in use.",
            ], mustNot: [
                "Never include test results, diagnoses or anything about a person's situation.",
                "Do not assume the person reading the phone is the one you meant: phones are shared, lost and stolen, and texts stay on them.",
            ], artefacts: [])
        case .instantMessaging:
            return Checklist(steps: [
                "Use messaging apps at most to say that information is waiting elsewhere (\"please check Safehaven\").",
                "Where your organisation approves a secure messaging product for its teams, use only that, as its guidance says.",
                "If personal information reaches you this way, move what is needed into the proper record, delete the messages and tell your information governance team.",
            ], mustNot: [
                "Never send personal information through consumer instant messaging: it is not approved, not auditable and copies spread to every device.",
            ], artefacts: [])
        }
    }

    /// Things never to do with sensitive details, and why. None of them contradicts a channel the
    /// advisor recommends: an emailed archive is encrypted, and a text message carries no
    /// sensitive details.
    public static let never: [String: String] = [
        "sms-details": "Never put sensitive details in a text message: texts stay on phones and networks outside anyone's control.",
        "instant-messaging": "Consumer messaging apps are not approved for personal information: use them at most to say 'please check Safehaven'.",
        "regular-email": "Never send personal information in an ordinary, unencrypted email across the internet: it is like a postcard that anyone handling it can read.",
        "voicemail": "Messages left on voicemail can be heard by anyone with access to the phone.",
    ]
}
