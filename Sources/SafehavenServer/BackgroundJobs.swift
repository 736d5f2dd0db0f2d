import Foundation
import Logging
import SafehavenCore
import SafehavenStorage
import ServiceLifecycle

/// Signs an audit checkpoint over new events every half signing interval, so no event waits
/// longer than the interval for one.
struct AuditCheckpointJob: Service {
    let runtime: Runtime

    func run() async throws {
        let every = Duration.seconds(max(1, runtime.deps.limits.auditCheckpointSeconds / 2))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try await runtime.audit.checkpoint() } catch {
                runtime.logger.critical("audit checkpoint refused", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}

/// Runs the periodic jobs (expire shares and destroy their content; sweep orphaned blobs) until
/// the service group shuts down.
struct BackgroundJobs: Service {
    let runtime: Runtime
    let interval: Duration

    func run() async throws {
        let logger = runtime.logger
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await Self.runOnce(runtime: runtime, logger: logger)
            try? await gracefulShutdownOrSleep(interval)
        }
    }

    private func gracefulShutdownOrSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }

    /// One pass of every job; failures are logged and retried next time.
    static func runOnce(runtime: Runtime, logger: Logger) async {
        do {
            let expired = try await runtime.shares.expireDue()
            if expired > 0 { logger.info("expired shares", metadata: ["count": "\(expired)"]) }
        } catch {
            logger.error("expiry job failed", metadata: ["error": "\(error)"])
        }
        do {
            let abandoned = try await UploadService(runtime.deps).expireDue()
            if abandoned > 0 { logger.info("removed abandoned drafts", metadata: ["count": "\(abandoned)"]) }
        } catch {
            logger.error("draft expiry job failed", metadata: ["error": "\(error)"])
        }
        do {
            let reminded = try await runtime.shares.queueExpiryReminders()
            if reminded > 0 { logger.info("queued reminders of shares expiring within a day", metadata: ["count": "\(reminded)"]) }
        } catch {
            logger.error("expiry reminder job failed", metadata: ["error": "\(error)"])
        }
        do {
            let overdue = try await LogbookService(runtime.deps).queueOverdueReminders()
            let deadlines = try await IncidentService(runtime.deps).queueDeadlineWarnings()
            if overdue + deadlines > 0 {
                logger.info("queued record reminders", metadata: ["overdue": "\(overdue)", "incident_deadlines": "\(deadlines)"])
            }
        } catch {
            logger.error("record reminder job failed", metadata: ["error": "\(error)"])
        }
        do {
            let due = try await PartnerPasswordService(runtime.deps).due()
            // Counts and organisation ids only: partner names stay out of the log.
            for (org, items) in Dictionary(grouping: due, by: \.organisationID) {
                logger.notice("shared archive passwords due for rotation", metadata: ["organisation": "\(org)", "count": "\(items.count)"])
            }
        } catch {
            logger.error("rotation reminder job failed", metadata: ["error": "\(error)"])
        }
        do {
            try await runtime.auth.pruneThrottle()
        } catch {
            logger.error("pruning sign-in counters failed", metadata: ["error": "\(error)"])
        }
        do {
            // Finishes a reclaim that a busy reader held up after an earlier destruction.
            try await runtime.store.reclaimDestroyed()
        } catch {
            logger.notice("reclaiming destroyed rows postponed", metadata: ["error": "\(error)"])
        }
        do {
            let removed = try await runtime.shares.sweepOrphans()
            if removed > 0 { logger.info("removed orphaned blobs", metadata: ["count": "\(removed)"]) }
        } catch {
            logger.error("orphan sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
