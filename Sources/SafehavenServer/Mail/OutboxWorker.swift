import Foundation
import Logging
import SafehavenCore
import SafehavenCrypto
import SafehavenMail
import ServiceLifecycle

/// Delivers the outbox. Each pass claims a batch with a lease (so two servers never take the
/// same row), hands it to the transport over one connection, and records each acceptance the
/// moment the relay gives it, in one conditional update. A temporary refusal or a lost
/// connection waits longer each time (doubling from 30 seconds to an hour, with jitter); a
/// permanent refusal, or a message still unsent after the dead-letter time, is marked failed for
/// an administrator (`safehaven outbox list|retry|purge`). A worker killed mid-batch leaves its
/// rows leased; when the lease lapses they are claimed again with the same Message-ID.
struct OutboxWorker: Sendable {
    let deps: Dependencies
    let transport: any MailTransport
    let renderer: MailRenderer
    let logger: Logger
    let deadAfter: TimeInterval
    /// The first retry's wait.
    let retryBase: TimeInterval
    /// Who holds a claim: distinct per process, so a lapsed lease from a killed one is recognisable.
    let owner: String
    /// How long a claim lasts.
    let lease: TimeInterval
    static let batchSize = 20

    /// One pass; returns how many messages were handed over and accepted.
    @discardableResult
    func runOnce() async throws -> Int {
        let now = deps.clock.now()
        let owner = self.owner
        let claimed = try await deps.store.write { try await $0.claimOutbox(owner: owner, now: now, until: now.addingTimeInterval(lease), limit: Self.batchSize) }
        guard !claimed.isEmpty else { return 0 }
        var batch: [(envelopeFrom: String, message: MailMessage)] = []
        var sendable: [OutboxMessage] = []
        for message in claimed {
            do {
                batch.append((renderer.from, try renderer.message(message)))
                sendable.append(message)
            } catch {
                try await settle(message, .permanent("could not be written: \(error)"))
            }
        }
        let settledIDs = SettledSet()
        do {
            let worker = self
            let rows = sendable
            try await transport.deliver(batch) { index, outcome in
                await settledIDs.add(rows[index].id, accepted: outcome == .accepted)
                do { try await worker.settle(rows[index], outcome) } catch {
                    worker.logger.error("could not record a notification's outcome", metadata: ["outbox": "\(rows[index].id)", "error": "\(error)"])
                }
            }
        } catch {
            // The connection failed: whatever the relay had not answered for waits for another try.
            let reason = (error as? SMTPError).map { "\($0)" } ?? "\(type(of: error))"
            let permanent = (error as? SMTPError).map { !$0.isTemporary } ?? false
            logger.warning("mail relay unavailable", metadata: ["reason": "\(reason)"])
            for message in sendable where await !settledIDs.contains(message.id) {
                try await settle(message, permanent ? .permanent(reason) : .temporary(reason))
            }
        }
        return await settledIDs.accepted
    }

    func settle(_ message: OutboxMessage, _ outcome: SMTPClient.Outcome) async throws {
        let now = deps.clock.now()
        let owner = self.owner
        switch outcome {
        case .accepted:
            _ = try await deps.store.write { try await $0.markOutboxAccepted(id: message.id, owner: owner, at: now) }
        case .temporary(let reason):
            let dead = now.timeIntervalSince(message.createdAt) >= deadAfter
            let next = now.addingTimeInterval(backoff(attempts: message.attempts))
            _ = try await deps.store.write { tx in
                try await tx.releaseOutbox(id: message.id, owner: owner, state: dead ? .failed : .queued, nextAttemptAt: next, error: reason)
            }
            if dead { logger.error("notification moved to failed after the dead-letter time", metadata: ["outbox": "\(message.id)"]) }
        case .permanent(let reason):
            _ = try await deps.store.write { tx in
                try await tx.releaseOutbox(id: message.id, owner: owner, state: .failed, nextAttemptAt: now, error: reason)
            }
            logger.error("notification refused for good", metadata: ["outbox": "\(message.id)"])
        }
    }

    /// 30 s, 60 s, 120 s… up to an hour, each between half and all of that (jitter spreads retries).
    func backoff(attempts: Int) -> TimeInterval {
        let base = min(retryBase * pow(2, Double(max(0, attempts - 1))), 3600)
        let jitter = Double(deps.random.bytes(2).reduce(0) { $0 << 8 | Int($1) }) / 65535
        return base * (0.5 + 0.5 * jitter)
    }
}

/// Which messages of a batch have an outcome already (and how many were accepted).
actor SettledSet {
    private var ids: Set<String> = []
    private(set) var accepted = 0
    func add(_ id: String, accepted wasAccepted: Bool) {
        ids.insert(id)
        if wasAccepted { accepted += 1 }
    }
    func contains(_ id: String) -> Bool { ids.contains(id) }
}

/// Runs the worker until the service stops.
struct OutboxService: Service {
    let worker: OutboxWorker
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Keep going while there is a backlog; otherwise wait for the next look.
                while try await worker.runOnce() == OutboxWorker.batchSize {}
            } catch {
                worker.logger.error("outbox pass failed", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
