import Foundation

/// One piece of personal data found in text that should not carry it.
public struct PersonalDataFinding: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case nhsNumber = "nhs_number"
        case chiNumber = "chi_number"
        case hcNumber = "hc_number"
        case niNumber = "ni_number"
        case upn
        case uln
        case address
        /// One of the sender's organisation's own identifiers (hospital number, case reference…).
        case reference
        case postcode
        case dateOfBirth = "date_of_birth"
        case email
        case phone
        case name
    }

    public var kind: Kind
    public var match: String
    /// Character offsets, counted from 1, of the first and last character of the match.
    public var start: Int
    public var end: Int

    public var label: String {
        switch kind {
        case .nhsNumber: return "an NHS number"
        case .chiNumber: return "a Scottish CHI number"
        case .hcNumber: return "a Northern Irish Health and Care number"
        case .niNumber: return "a National Insurance number"
        case .upn: return "a unique pupil number (UPN)"
        case .uln: return "a unique learner number (ULN)"
        case .address: return "a street address"
        case .reference: return "one of your organisation's own identifiers"
        case .postcode: return "a postcode"
        case .dateOfBirth: return "a date of birth"
        case .email: return "an email address"
        case .phone: return "a phone number"
        case .name: return "the name of a person the share is about"
        }
    }

    /// Says what and where without repeating the data itself (this text may reach logs).
    public var description: String { "\(label) at characters \(start)–\(end)" }
}

/// Finds personal data in short text (subjects) and counts identifiers in longer text (bodies,
/// file names) to spot information about large numbers of people.
public struct PersonalDataScanner: Sendable {
    /// Names of the people the share is about, to be kept out of subjects.
    public var names: [String]
    /// "Today", for telling a likely date of birth from a meeting date; nil to flag only dates
    /// with a cue such as "DOB" or "born".
    public var today: Date?
    /// The organisation's own identifiers, compiled.
    public var patterns: [(name: String, regex: NSRegularExpression)]

    public init(names: [String] = [], today: Date? = nil, patterns: [IdentifierPattern] = []) {
        self.names = names
        self.today = today
        self.patterns = patterns.compactMap { p in (try? p.compiled()).map { (p.name, $0) } }
    }

    public func scan(_ text: String) -> [PersonalDataFinding] {
        var findings: [PersonalDataFinding] = []
        var taken: [Range<Int>] = []
        let chars = Array(text)
        func add(_ kind: PersonalDataFinding.Kind, _ range: Range<Int>) {
            guard !taken.contains(where: { $0.overlaps(range) }) else { return }
            taken.append(range)
            findings.append(.init(kind: kind, match: String(chars[range]), start: range.lowerBound + 1, end: range.upperBound))
        }
        for r in Self.matches(Self.emailPattern, in: chars) { add(.email, r) }
        for (_, regex) in patterns { for r in Self.matches(regex, in: chars) { add(.reference, r) } }
        for r in Self.matches(Self.ulnPattern, in: chars) where Self.isValidULN(String(chars[r]).filter(\.isNumber)) {
            add(.uln, (r.upperBound - 10)..<r.upperBound)
        }
        for r in Self.matches(Self.nhsPattern, in: chars) {
            if let kind = Self.healthNumberKind(String(chars[r])) { add(kind, r) }
        }
        for r in Self.matches(Self.upnPattern, in: chars) where Self.isValidUPN(String(chars[r])) { add(.upn, r) }
        for r in Self.matches(Self.niPattern, in: chars) where Self.isValidNINumber(String(chars[r])) { add(.niNumber, r) }
        for r in Self.matches(Self.addressPattern, in: chars) { add(.address, r) }
        for r in Self.matches(Self.postcodePattern, in: chars) { add(.postcode, r) }
        for r in Self.matches(Self.phonePattern, in: chars) where Self.isPlausiblePhone(String(chars[r])) { add(.phone, r) }
        for r in dateRanges(chars) { add(.dateOfBirth, r) }
        for r in nameRanges(chars) { add(.name, r) }
        for r in Self.matches(Self.safeguardingNamePattern, in: chars) { add(.name, r) }
        return findings.sorted { $0.start < $1.start }
    }

    /// Distinct identifiers of people (NHS, CHI, H&C, National Insurance, UPN, ULN) in a text: many
    /// of them means information about many people.
    public static func countIdentifiers(_ text: String) -> Int {
        identifierKeys(text).count
    }

    /// The distinct identifiers in a text, each as kind and normalised value (kept in memory only).
    /// Runs only the identifier patterns, straight on the text (files can be large).
    public static func identifierKeys(_ text: String) -> Set<String> {
        let ns = text as NSString
        let whole = NSRange(location: 0, length: ns.length)
        var keys = Set<String>()
        func key(_ kind: PersonalDataFinding.Kind, _ value: String) -> String {
            kind.rawValue + ":" + value.uppercased().filter { $0.isLetter || $0.isNumber }
        }
        var learnerNumbers: [NSRange] = []
        for m in ulnPattern.matches(in: text, range: whole) {
            let digits = String(ns.substring(with: m.range).filter(\.isNumber).suffix(10))
            if isValidULN(digits) {
                keys.insert(key(.uln, digits))
                learnerNumbers.append(m.range)
            }
        }
        for m in nhsPattern.matches(in: text, range: whole) where !learnerNumbers.contains(where: { NSIntersectionRange($0, m.range).length > 0 }) {
            let value = ns.substring(with: m.range)
            if let kind = healthNumberKind(value) { keys.insert(key(kind, value)) }
        }
        for m in upnPattern.matches(in: text, range: whole) {
            let value = ns.substring(with: m.range)
            if isValidUPN(value) { keys.insert(key(.upn, value)) }
        }
        for m in niPattern.matches(in: text, range: whole) {
            let value = ns.substring(with: m.range)
            if isValidNINumber(value) { keys.insert(key(.niNumber, value)) }
        }
        return keys
    }

    /// Distinct valid NHS numbers in a text: many of them means information about many people.
    public static func countNHSNumbers(_ text: String) -> Int {
        let chars = Array(text)
        return Set(matches(nhsPattern, in: chars).map { String(chars[$0]).filter(\.isNumber) }.filter(isValidNHSNumber)).count
    }

    // MARK: patterns

    static let emailPattern = try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"#)
    static let nhsPattern = try! NSRegularExpression(pattern: #"(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])"#)
    /// With or without the final letter, which is often left off.
    static let niPattern = try! NSRegularExpression(
        pattern: #"(?i)(?<![A-Z0-9])[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2}( ?[A-D])?(?![A-Z0-9])"#)
    /// A check letter then twelve digits (the last may be a letter in a temporary UPN).
    static let upnPattern = try! NSRegularExpression(pattern: #"(?i)(?<![A-Z0-9])[A-HJ-NP-RT-Z][0-9]{11}[0-9A-Z](?![A-Z0-9])"#)
    /// Ten digits, named as a ULN (they would otherwise read as a health number).
    static let ulnPattern = try! NSRegularExpression(pattern: #"(?i)\bULN\s*(no\.?|number)?\s*:?\s*[0-9]{10}(?![0-9])"#)
    static let addressPattern = try! NSRegularExpression(
        pattern: #"(?<![0-9A-Za-z])[0-9]{1,4}[A-Za-z]?,? (?:[A-Z][a-z]+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Court|Ct|Gardens|Gdns|Place|Pl|Terrace|Grove|Hill|Park|Walk|Mews|Square|Sq|Row|Rise|View)\b\.?"#)
    /// How names are written in safeguarding work without a full name: "Baby of Smith",
    /// "Baby Smith", initials with an age ("JS (4)", "J.S. aged 4").
    static let safeguardingNamePattern = try! NSRegularExpression(
        pattern: #"(?i:baby of|baby) [A-Z][A-Za-z'’-]+|\b[A-Z]\.? ?[A-Z]\.?,? ?(?:\((?:aged? )?[0-9]{1,2}(?: ?(?:yrs?|years?|months?|m|y))?\)|(?i:aged?) [0-9]{1,2}\b)"#)
    static let postcodePattern = try! NSRegularExpression(
        pattern: #"(?i)(?<![A-Z0-9])(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Z0-9])"#)
    static let phonePattern = try! NSRegularExpression(pattern: #"(?<![0-9+])(\+44 ?\(?0?\)? ?|0)[1-9][0-9 ()-]{7,13}[0-9](?![0-9])"#)
    static let numericDate = try! NSRegularExpression(
        pattern: #"(?<![0-9])([0-3]?[0-9])[/.-]([01]?[0-9])[/.-]([0-9]{4}|[0-9]{2})(?![0-9])|(?<![0-9])([0-9]{4})-([01][0-9])-([0-3][0-9])(?![0-9])"#)
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let wordDate = try! NSRegularExpression(
        pattern: #"(?i)(?<![0-9A-Z])([0-3]?[0-9])(st|nd|rd|th)?( of)? (jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? ([0-9]{4})(?![0-9])"#)
    /// "March 3rd, 2019".
    static let monthFirstDate = try! NSRegularExpression(
        pattern: #"(?i)(?<![0-9A-Z])(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? ([0-3]?[0-9])(st|nd|rd|th)?,? ([0-9]{4})(?![0-9])"#)
    /// Words that make a date an event's, not a birthday.
    static let eventCue = try! NSRegularExpression(
        pattern: #"(?i)\b(incident|meeting|review|conference|visit|hearing|appointment|assessment|strategy|discussion|referral|dated|on)\b[^0-9]{0,12}$"#)
    static let dobCue = try! NSRegularExpression(pattern: #"(?i)\b(d\.?o\.?b\.?|born|date of birth|birthday|b\.)\s*:?\s*$"#)

    static func matches(_ regex: NSRegularExpression, in chars: [Character]) -> [Range<Int>] {
        let text = String(chars)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            guard let r = Range(m.range, in: text) else { return nil }
            let lower = text.distance(from: text.startIndex, to: r.lowerBound)
            return lower..<(lower + text[r].count)
        }
    }

    /// Mod-11 check digit: weights 10 down to 2 over the first nine digits.
    public static func isValidNHSNumber(_ raw: String) -> Bool {
        let digits = raw.compactMap(\.wholeNumberValue)
        guard digits.count == 10, Set(digits).count > 1 else { return false }
        let sum = (0..<9).reduce(0) { $0 + digits[$1] * (10 - $1) }
        let check = 11 - sum % 11
        if check == 10 { return false }
        return (check == 11 ? 0 : check) == digits[9]
    }

    /// Which UK health number a valid mod-11 ten-digit number is: Northern Ireland's Health and
    /// Care numbers are 320 000 001–399 999 999; Scottish CHI numbers start with the date of birth
    /// (DDMMYY); the rest are NHS numbers (England, Wales, Isle of Man).
    static func healthNumberKind(_ raw: String) -> PersonalDataFinding.Kind? {
        let digits = raw.compactMap(\.wholeNumberValue)
        guard isValidNHSNumber(raw) else { return nil }
        let leading = digits[0] * 100 + digits[1] * 10 + digits[2]
        if (320...399).contains(leading) { return .hcNumber }
        let day = digits[0] * 10 + digits[1], month = digits[2] * 10 + digits[3]
        if (1...31).contains(day), (1...12).contains(month), digits[0] <= 3 { return .chiNumber }
        return .nhsNumber
    }

    /// The UPN's check letter: the sum of each of the twelve digits times its position (2–13),
    /// modulo 23, indexes "ABCDEFGHJKLMNPQRTUVWXYZ".
    static func isValidUPN(_ raw: String) -> Bool {
        let upper = Array(raw.uppercased())
        guard upper.count == 13 else { return false }
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        var sum = 0
        for (offset, c) in upper.dropFirst().enumerated() {
            // A temporary UPN ends in a letter, which counts by its place in the same alphabet.
            guard let value = c.wholeNumberValue ?? (offset == 11 ? letters.firstIndex(of: c) : nil) else { return false }
            sum += value * (offset + 2)
        }
        return letters[sum % 23] == upper[0]
    }

    /// ULN check digit: weights 10 down to 2 over the first nine digits; 10 minus the sum modulo 11.
    static func isValidULN(_ digits: String) -> Bool {
        let d = digits.compactMap(\.wholeNumberValue)
        guard d.count == 10 else { return false }
        let remainder = (0..<9).reduce(0) { $0 + d[$1] * (10 - $1) } % 11
        return remainder != 0 && 10 - remainder == d[9]
    }

    /// Prefix rules from HMRC: no D, F, I, Q, U, V; O not second; some pairs never issued.
    static func isValidNINumber(_ raw: String) -> Bool {
        let letters = raw.uppercased().filter(\.isLetter)
        guard letters.count == 3 || letters.count == 2 else { return false }
        let first = letters[letters.startIndex], second = letters[letters.index(after: letters.startIndex)]
        if "DFIQUV".contains(first) || "DFIQUVO".contains(second) { return false }
        return !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(String([first, second]))
    }

    static func isPlausiblePhone(_ raw: String) -> Bool {
        var digits = raw.filter(\.isNumber)
        if raw.hasPrefix("+44") { digits = "0" + digits.dropFirst(2).drop(while: { $0 == "0" }) }
        return (10...11).contains(digits.count)
    }

    private func dateRanges(_ chars: [Character]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let text = String(chars)
        for (regex, numeric) in [(Self.numericDate, true), (Self.wordDate, false), (Self.monthFirstDate, false)] {
            let ns = text as NSString
            for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                guard let r = Range(m.range, in: text) else { continue }
                let lower = text.distance(from: text.startIndex, to: r.lowerBound)
                let range = lower..<(lower + text[r].count)
                guard let date = Self.parseDate(String(text[r]), numeric: numeric) else { continue }
                let before = String(chars[max(0, lower - 20)..<lower])
                let whole = NSRange(location: 0, length: (before as NSString).length)
                let cued = Self.dobCue.firstMatch(in: before, range: whole) != nil
                let event = Self.eventCue.firstMatch(in: before, range: whole) != nil
                if cued || (!event && isLikelyBirthDate(date)) { out.append(range) }
            }
        }
        return out
    }

    private func isLikelyBirthDate(_ date: Date) -> Bool {
        guard let today else { return false }
        // A baby's date of birth is weeks old: any past date up to 120 years counts.
        let age = today.timeIntervalSince(date) / (365.25 * 86_400)
        return age >= 0 && age <= 120
    }

    static func parseDate(_ text: String, numeric: Bool) -> Date? {
        var day = 0, month = 0, year = 0
        if numeric {
            let parts = text.split(whereSeparator: { "/.-".contains($0) }).compactMap { Int($0) }
            guard parts.count == 3 else { return nil }
            if text.count == 10, text.dropFirst(4).first == "-" { (year, month, day) = (parts[0], parts[1], parts[2]) }
            else { (day, month, year) = (parts[0], parts[1], parts[2]) }
            if year < 100 { year += year > 30 ? 1900 : 2000 }
        } else {
            let words = text.lowercased().replacingOccurrences(of: ",", with: " ").split(separator: " ").filter { $0 != "of" }
            guard words.count == 3 else { return nil }
            let monthFirst = words[0].first?.isLetter == true
            let (dayWord, monthWord) = monthFirst ? (words[1], words[0]) : (words[0], words[1])
            day = Int(dayWord.filter(\.isNumber)) ?? 0
            month = (monthNames.firstIndex { monthWord.hasPrefix($0) } ?? -1) + 1
            year = Int(words[2]) ?? 0
        }
        guard (1...12).contains(month), (1...31).contains(day), (1850...2200).contains(year) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        return date
    }

    private func nameRanges(_ chars: [Character]) -> [Range<Int>] {
        var words: [String] = []
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "’", with: "'")
            guard !trimmed.isEmpty else { continue }
            words.append(trimmed)
            // Each part of a hyphenated or apostrophe name is a name too (Smith-Jones: Smith, Jones).
            words += trimmed.split(separator: " ").map(String.init).filter { $0.count >= 3 }
            words += trimmed.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init).filter { $0.count >= 3 }
        }
        var out: [Range<Int>] = []
        let lowered = chars.map { Character($0 == "’" ? "'" : $0.lowercased()) }
        for word in Set(words.map { $0.lowercased() }).sorted(by: { $0.count > $1.count }) {
            let w = Array(word)
            guard !w.isEmpty, w.count <= lowered.count else { continue }
            for i in 0...(lowered.count - w.count) where Array(lowered[i..<(i + w.count)]) == w {
                let beforeOK = i == 0 || !(lowered[i - 1].isLetter || lowered[i - 1].isNumber)
                let afterIndex = i + w.count
                let afterOK = afterIndex == lowered.count || !(lowered[afterIndex].isLetter || lowered[afterIndex].isNumber)
                if beforeOK && afterOK { out.append(i..<(i + w.count)) }
            }
        }
        return out
    }
}
