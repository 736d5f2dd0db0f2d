import Foundation


/// Generated passwords: 25 characters from an alphabet without look-alikes (no 0/o, 1/l/i), in
/// groups of five so they can be read out or typed without error. About 124 bits of entropy.
public enum PasswordGenerator {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func generate(random: any RandomSource, groups: Int = 5, groupLength: Int = 5) -> String {
        var out: [String] = []
        for _ in 0..<groups {
            var group = ""
            while group.count < groupLength {
                // Rejection sampling keeps every character equally likely.
                let byte = random.bytes(1)[0]
                if Int(byte) < 248 { group.append(alphabet[Int(byte) % alphabet.count]) }
            }
            out.append(group)
        }
        return out.joined(separator: "-")
    }
}
