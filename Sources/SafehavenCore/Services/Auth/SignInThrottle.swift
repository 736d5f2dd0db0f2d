import Crypto
import Foundation
import SafehavenCrypto

/// Who is slowed or locked after failed sign-ins. Three counters are kept, each under a hash so
/// neither the address typed nor the source is stored, and an address with no account is counted
/// exactly like one with an account (nothing tells the two apart):
/// - the address typed *from this source*: slowed after a few failures and locked for a while
///   after more, so a guesser locks out only themselves;
/// - the address typed, from anywhere: slowed, never locked, with a capped delay, so a stranger
///   elsewhere cannot lock a practitioner out of their own account but a spread-out guesser still
///   gets only a few tries a minute;
/// - the source, whatever address: slowed after many failures with a capped delay (one council
///   office shares one address, so never locked).
public struct SignInThrottle: Sendable {
    public struct Bucket: Sendable, Equatable {
        public enum Scope: String, Sendable { case accountFromSource = "pair", account = "acct", source = "addr" }
        public let scope: Scope
        public let key: String
        let slowAfter: Int
        let maxDelaySeconds: Int
        let lockAfter: Int?
    }

    public let buckets: [Bucket]

    public init(email: String, source: String, limits: Limits) {
        func key(_ scope: Bucket.Scope, _ parts: String...) -> String {
            scope.rawValue + ":" + Encoding.hex(SHA256.hash(data: Array((["safehaven-throttle", scope.rawValue] + parts).joined(separator: "\u{0}").utf8)))
        }
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        buckets = [
            Bucket(scope: .accountFromSource, key: key(.accountFromSource, email, source), slowAfter: limits.slowLoginsAfter,
                   maxDelaySeconds: 1024, lockAfter: limits.lockLoginsAfter),
            Bucket(scope: .account, key: key(.account, email), slowAfter: limits.slowLoginsAfterAnywhere,
                   maxDelaySeconds: limits.maxDelayAnywhereSeconds, lockAfter: nil),
            Bucket(scope: .source, key: key(.source, source), slowAfter: limits.slowLoginsFromSource,
                   maxDelaySeconds: limits.maxDelayAnywhereSeconds, lockAfter: nil),
        ]
    }

    var pair: Bucket { buckets[0] }
    /// What a good sign-in clears: the address's counts. The source's count only loses the attempt
    /// just counted (it may be spraying other accounts; a whole office signing in is not).
    var clearedOnSuccess: [String] { [buckets[0].key, buckets[1].key] }
    var source: Bucket { buckets[2] }

    /// Refuses an attempt on a locked key, or one that comes too soon after the last failure.
    static func check(_ state: ThrottleState?, _ bucket: Bucket, now: Date) throws {
        guard let state else { return }
        if let until = state.lockedUntil, until > now {
            throw SafehavenError(.rateLimited, code: "account_locked",
                                 message: "Too many failed sign-ins: signing in to this account from here is locked for a while. Try again later or ask an administrator.",
                                 retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        }
        if state.failures >= bucket.slowAfter, let last = state.lastFailedAt {
            let wait = TimeInterval(min(1 << min(state.failures - bucket.slowAfter, 20), bucket.maxDelaySeconds))
            let allowedAt = last.addingTimeInterval(wait)
            if allowedAt > now {
                throw SafehavenError(.rateLimited, code: "too_many_attempts",
                                     message: "Too many failed sign-ins: wait a moment before trying again.",
                                     retryAfter: Int(allowedAt.timeIntervalSince(now).rounded(.up)))
            }
        }
    }
}
