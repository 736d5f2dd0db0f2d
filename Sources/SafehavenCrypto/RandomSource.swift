import Foundation
import Synchronization

/// Where every random byte in Safehaven comes from. Production uses the system CSPRNG;
/// tests inject a seeded source so keys, salts and tokens are reproducible.
public protocol RandomSource: Sendable {
    /// Returns `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's cryptographically secure generator.
public struct SystemRandomSource: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next() as UInt64
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }
}

/// A deterministic generator (SplitMix64) for tests only: never use it for real secrets.
public final class SeededRandomSource: RandomSource, Sendable {
    private let seed: Mutex<UInt64>

    public init(seed: UInt64) { self.seed = Mutex(seed) }

    public func bytes(_ count: Int) -> [UInt8] {
        seed.withLock { state in Self.next(count, state: &state) }
    }

    private static func next(_ count: Int, state: inout UInt64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: z >> UInt64(shift)))
            }
        }
        return out
    }
}
