import Foundation

/// Password rules in line with current NCSC advice: length over complexity, a deny-list of
/// passwords attackers try first, no composition rules and no forced expiry.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 256

    /// Throws a clear, specific error when a password is not acceptable.
    public static func check(_ password: String, email: String? = nil, name: String? = nil) throws {
        let count = password.count
        guard count >= minimumLength else {
            throw SafehavenError.invalid("password", "Passwords need at least \(minimumLength) characters; three random words make a strong one.")
        }
        guard count <= maximumLength else {
            throw SafehavenError.invalid("password", "Passwords can be at most \(maximumLength) characters.")
        }
        let folded = password.lowercased()
        let squashed = String(folded.filter { $0.isLetter || $0.isNumber })
        if CommonPasswords.isListed(folded) || CommonPasswords.isListed(squashed) || isCommonWithSuffix(folded)
            || isCommonWithSuffix(squashed) {
            throw SafehavenError.invalid("password", "That password is on the list of passwords attackers try first; choose another.")
        }
        if Set(folded).count <= 2 || isSequence(squashed) {
            throw SafehavenError.invalid("password", "That password is too predictable; choose another.")
        }
        var personal: [String] = ["safehaven"]
        if let email {
            let local = email.split(separator: "@").first.map { String($0).lowercased() } ?? ""
            if local.count >= 4 { personal.append(local) }
        }
        if let name { personal += name.lowercased().split(separator: " ").map(String.init).filter { $0.count >= 4 } }
        for word in personal where squashed.count - word.count < 6 && folded.contains(word) {
            throw SafehavenError.invalid("password", "That password is too close to your name, email address or this service's name.")
        }
    }

    /// "password12345678", "Sunshine2026!!" and friends: a deny-listed password or stem followed by
    /// digits or symbols.
    private static func isCommonWithSuffix(_ text: String) -> Bool {
        let stem = String(text.reversed().drop(while: { !$0.isLetter }).reversed())
        return stem.count >= 4 && (CommonPasswords.stems.contains(stem) || CommonPasswords.isListed(stem))
    }

    private static func isSequence(_ text: String) -> Bool {
        let scalars = text.unicodeScalars.map { Int($0.value) }
        guard scalars.count >= minimumLength else { return false }
        let steps = zip(scalars.dropFirst(), scalars).map { $0 - $1 }
        return Set(steps).count == 1 && abs(steps[0]) <= 1
    }
}

/// Passwords and stems most often seen in breach corpora and guessing attacks: about 31,000 shipped
/// in `Resources/common-passwords.txt` (sources named in its header), plus the long, still-guessable
/// kind and words of UK public-sector work listed here.
enum CommonPasswords {
    /// The shipped list, read once.
    static let shipped: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").lazy.filter { !$0.hasPrefix("#") }.map(String.init))
    }()

    static func isListed(_ candidate: String) -> Bool { list.contains(candidate) || shipped.contains(candidate) }

    static let stems: Set<String> = [
        "password", "passw0rd", "p4ssword", "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator",
        "iloveyou", "monkey", "dragon", "football", "baseball", "sunshine", "princess", "starwars", "trustno1",
        "abc", "abcdef", "changeme", "secret", "master", "superman", "batman", "liverpool", "chelsea", "arsenal",
        "manchester", "london", "england", "summer", "winter", "spring", "autumn", "january", "february", "march",
        "april", "june", "july", "august", "september", "october", "november", "december", "monday", "friday",
        "hello", "login", "user", "test", "guest", "default", "access", "shadow", "michael", "jennifer", "charlie",
        "thomas", "jessica", "daniel", "matthew", "hannah", "samantha", "computer", "internet", "council", "nhs",
        "police", "school", "social", "children", "qazwsx", "asdfgh", "zxcvbn", "1q2w3e4r", "q1w2e3r4", "zaq12wsx",
    ]
    static let list: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789abc", "1234567890qwerty", "qwertyuiop123",
        "qwertyuiopasdfghjkl", "qwertyuiopasdf", "asdfghjkl123", "zxcvbnm12345", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv",
        "qazwsxedcrfv", "zaq12wsxcde3", "password1234", "password12345", "password123456", "passwordpassword",
        "password1234567", "password123!", "password!234", "p@ssword1234", "p@ssw0rd1234", "passw0rd1234",
        "letmein12345", "letmeinplease", "welcome12345", "welcome123456", "welcometothejungle", "iloveyou1234",
        "iloveyouforever", "administrator", "administrator1", "admin1234567", "adminadmin123", "changeme1234",
        "changemenow123", "trustno1trustno1", "football1234", "baseball1234", "sunshine1234", "princess1234",
        "starwars1234", "superman1234", "batman123456", "monkey123456", "dragon123456", "liverpool1234",
        "manchesterunited", "manchester123", "chelseafc1234", "arsenal12345", "thequickbrownfox",
        "correcthorsebatterystaple", "correct horse battery staple", "mypassword123", "mysecretpassword",
        "secretpassword", "supersecretpassword", "verysecurepassword", "strongpassword", "strongpassword1",
        "securepassword", "securepassword1", "nopassword123", "default12345", "guest1234567", "computer1234",
        "internet1234", "abcdefghijkl", "abcdefghijklm", "abcdefg12345", "abc123456789", "abcd12345678",
        "aaaaaaaaaaaa", "111111111111", "000000000000", "121212121212", "123123123123", "112233445566",
        "147258369000", "987654321000", "098765432112", "london123456", "england12345", "summer123456",
        "winter123456", "spring123456", "autumn123456", "january12345", "september123", "december1234",
        "happybirthday", "happydays123", "blink1821234", "michaeljordan", "jenniferlopez", "charlie12345",
        "thomas123456", "jessica12345", "daniel123456", "matthew12345", "hannah123456", "samantha1234",
        "pokemon12345", "minecraft123", "fortnite1234", "whatever1234", "nothing12345", "loveyou12345",
        "iloveyou2024", "iloveyou2025", "iloveyou2026", "welcome2024!", "welcome2025!", "welcome2026!",
        "summer2024!!", "summer2025!!", "summer2026!!", "winter2025!!", "winter2026!!", "spring2026!!",
        "autumn2026!!", "password2024", "password2025", "password2026", "password2024!", "password2025!",
        "password2026!", "councilpassword", "nhspassword1", "nhspassword123", "schoolpassword", "policepassword",
        "socialworker1", "socialworker123", "teacher12345", "nurse1234567", "doctor123456", "office123456",
        "office365password", "microsoft123", "windows12345", "letmein2026!", "qwerty123456", "qwerty1234567",
        "qwertyqwerty", "asdfasdfasdf", "zxcvzxcvzxcv", "1q2w3e4r5t6y", "q1w2e3r4t5y6", "passwordqwerty",
    ]
}

extension PasswordPolicy {
    /// Archive passwords protect a file that anyone may copy and attack offline, through a key
    /// derivation (1000 rounds of SHA-1) that does little to slow guessing: so they must be longer
    /// than sign-in passwords. Generated ones are 30 characters.
    public static let archiveMinimumLength = 16

    public static func checkArchive(_ password: String) throws {
        guard password.count >= archiveMinimumLength else {
            throw SafehavenError.invalid("password", "Archive passwords need at least \(archiveMinimumLength) characters, because the ZIP format protects them weakly; let Safehaven generate one.")
        }
        try check(password)
    }
}
