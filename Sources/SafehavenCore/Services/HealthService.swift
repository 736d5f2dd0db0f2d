import Foundation
import Synchronization

/// Whether the service can do its work, for load balancers and operators. Ready means the
/// database answers and accepts writes, the data directory accepts writes and has at least the
/// configured free space. Writes are probed at most every few seconds (the result is kept in
/// between), so probing often stays cheap; once the cause is fixed the next probe says ready,
/// without a restart.
public struct HealthService: Sendable {
    let deps: Dependencies
    let state: HealthState
    public init(_ deps: Dependencies, state: HealthState) {
        self.deps = deps
        self.state = state
    }

    public struct Report: Sendable, Equatable {
        public enum Part: String, Sendable { case ok, unreachable, readOnly = "read-only", low }
        public var database: Part
        public var storage: Part
        public var ready: Bool { database == .ok && storage == .ok }
    }

    /// Seconds a write probe's result is trusted.
    static let probeInterval: TimeInterval = 5

    public func check() async -> Report {
        let now = deps.clock.now()
        var report = Report(database: .ok, storage: .ok)
        do { _ = try await deps.store.read { try await $0.userCount() } } catch {
            report.database = .unreachable
            return report
        }
        if let cached = state.cached(at: now, maxAge: Self.probeInterval) {
            report = cached
        } else {
            do { try await deps.store.probeWrite(at: now) } catch { report.database = .readOnly }
            do { try deps.blobs.probeWritable() } catch { report.storage = .readOnly }
            state.remember(report, at: now)
        }
        if report.storage == .ok, let free = deps.blobs.freeBytes(), free < deps.limits.minimumFreeBytes { report.storage = .low }
        return report
    }
}

/// The last probe's result, shared by every request.
public final class HealthState: Sendable {
    private let last: Mutex<(at: Date, report: HealthService.Report)?> = Mutex(nil)
    public init() {}

    func cached(at now: Date, maxAge: TimeInterval) -> HealthService.Report? {
        last.withLock { value in
            guard let value, now.timeIntervalSince(value.at) < maxAge, now >= value.at else { return nil }
            return value.report
        }
    }

    func remember(_ report: HealthService.Report, at now: Date) { last.withLock { $0 = (now, report) } }
}
