import Foundation
import Synchronization

/// Bounds how many password hashes run at once. At scrypt 2^17 each takes about 128 MiB and a
/// third of a second of one core, so forty sign-ins at once must queue rather than take 5 GiB.
public final class HashingSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    public init(slots: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
        state = Mutex(State(free: slots))
    }

    /// Runs `body` once a slot is free.
    public func run<T>(_ body: () throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
