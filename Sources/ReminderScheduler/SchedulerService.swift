import AsyncSupport
import Foundation
import Logging
import Metrics
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import ServiceLifecycle
import Synchronization
import Timestamps

/// Fires time-based and deadline reminders when they are due, and snoozes
/// when they end.
///
/// It sleeps until the earliest due time, or until a NOTIFY says a reminder or
/// snooze changed, so a firing is late by milliseconds, not by a polling
/// interval. Several schedulers may run: due rows are claimed with
/// `SKIP LOCKED` in the transaction that fires them.
public final class SchedulerService: Service {
    private let postgres: PostgresClient
    private let repository: any SchedulerRepository
    private let configuration: SchedulerConfiguration
    private let logger: Logger
    private let loop = WakeableWork()
    private let fired = Atomic<Int>(0)
    private let firedCounter = Counter(label: MetricName.schedulerFired)
    private let lateness = Timer(label: MetricName.schedulerLateness)
    private let escalationsFired = Counter(label: MetricName.escalationSteps, dimensions: [("outcome", "fired")])
    private let escalationsStopped = Counter(label: MetricName.escalationSteps, dimensions: [("outcome", "stopped")])
    private let digestsSent = Counter(label: MetricName.heldDigests)
    private let rearmedCounter = Counter(label: MetricName.rearmed)

    /// Creates a scheduler.
    public init(
        postgres: PostgresClient, repository: any SchedulerRepository,
        configuration: SchedulerConfiguration, logger: Logger
    ) {
        self.postgres = postgres
        self.repository = repository
        self.configuration = configuration
        self.logger = logger
    }

    /// Firings made since start.
    public var firedCount: Int { fired.load(ordering: .relaxed) }

    /// Schedules until graceful shutdown.
    public func run() async throws {
        guard configuration.enabled else {
            logger.notice("reminders are disabled (REMINDERS_ENABLED=false); the scheduler stays idle")
            try? await gracefulShutdown()
            return
        }
        try await loop.run(wakingOn: postgres.listen(on: "reminder_schedule")) {
            try await self.scheduleWhileRunning()
        }
    }

    private var isStopping: Bool { loop.isStopping }
    private var wake: WakeSignal { loop.wake }

    private func scheduleWhileRunning() async throws {
        logger.info("scheduler started", metadata: ["batch_size": "\(configuration.batchSize)"])
        // The seed's operator checklist greps for these lines: the job is
        // scheduled once, then a check (a sweep) every check interval, even
        // though most firings happen between sweeps, woken by the database.
        logger.info("Reminder job scheduled", metadata: ["interval": "\(configuration.longestSleep)"])
        let backoff = RetryBackoff(maximum: configuration.maximumBackoff)
        // A NOTIFY or shutdown ends a wait early; shutdown also ends the retries.
        let wait = RetryWait { delay in
            await self.wake.wait(upTo: delay)
            return !self.isStopping
        }
        // The case trigger reads the closing statuses from the database.
        do {
            try await withRetries(backoff, wait: wait, isRetriable: { _ in !self.isStopping }, onRetry: { retry in
                self.logger.error("storing the case closing statuses failed; retrying", metadata: ["error": "\(retry.error)"])
            }) {
                try await repository.storeClosingStatuses(configuration.caseClosingStatuses.statuses)
            }
        } catch {
            return
        }
        var lastSweep: ContinuousClock.Instant?
        var firedAtLastSweep = firedCount
        while !isStopping {
            let round: (next: Date?, sweeping: Bool)
            do {
                round = try await withRetries(backoff, wait: wait, isRetriable: { _ in !self.isStopping }, onRetry: { retry in
                    self.logger.error("scheduling failed; retrying", metadata: [LogKey.error: "\(retry.error)", LogKey.retryIn: "\(retry.delay)"])
                }) {
                    let sweeping = lastSweep.map { ContinuousClock.now - $0 >= configuration.longestSleep } ?? true
                    if sweeping { logger.info("✅ Checking for pending reminders...") }
                    try await fireEverythingDue()
                    return (try await repository.nextDueTime(), sweeping)
                }
            } catch {
                // Only at shutdown: every other failure is retried.
                return
            }
            let (next, sweeping) = round
            if sweeping {
                logger.info("Reminder check complete", metadata: [
                    "fired_since_last_check": "\(firedCount - firedAtLastSweep)",
                    "next_due": "\(next.map(Timestamp.format) ?? "none")",
                ])
                lastSweep = .now
                firedAtLastSweep = firedCount
            }
            await sleep(until: next, sweepDue: (lastSweep ?? .now) + configuration.longestSleep)
        }
    }

    /// Fires batch after batch until nothing is due, with `concurrency`
    /// transactions at a time (`SKIP LOCKED` keeps them apart).
    private func fireEverythingDue() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<configuration.concurrency {
                group.addTask { try await self.fireRemindersUntilDrained() }
            }
            try await group.waitForAll()
        }
        try await rearmReopenedReminders()
        try await releaseDueDigests()
        try await settleDueEscalations()
        while !isStopping {
            let snoozes = try await repository.fireDueSnoozes(limit: configuration.batchSize)
            fired.add(snoozes, ordering: .relaxed)
            firedCounter.increment(by: snoozes)
            if snoozes > 0 { logger.info("re-fired ended snoozes", metadata: ["snoozes": "\(snoozes)"]) }
            if snoozes < configuration.batchSize { return }
        }
    }

    /// Reminders whose case reopened come back at their next occurrence.
    private func rearmReopenedReminders() async throws {
        while !isStopping {
            let rearmed = try await repository.rearmReopenedReminders(limit: configuration.batchSize, now: Date())
            for reminder in rearmed {
                logger.info("reminder re-armed: its case reopened", metadata: [
                    LogKey.reminderID: "\(reminder.reminderID)",
                    "next_check_at": "\(reminder.nextCheckAt.map(Timestamp.format) ?? "none")",
                ])
            }
            rearmedCounter.increment(by: rearmed.count)
            if rearmed.count < configuration.batchSize { return }
        }
    }

    /// Escalation steps whose time has come fire or stop.
    private func settleDueEscalations() async throws {
        while !isStopping {
            let outcomes = try await repository.fireDueEscalations(limit: configuration.batchSize)
            for outcome in outcomes {
                (outcome.fired ? escalationsFired : escalationsStopped).increment()
                logger.info(outcome.fired ? "escalation step fired" : "escalation step stopped", metadata: [
                    LogKey.eventID: "\(outcome.eventID.uuidString.lowercased())",
                    LogKey.reminderID: "\(outcome.reminderID)",
                    LogKey.reason: "\(outcome.reason)",
                ])
            }
            if outcomes.count < configuration.batchSize { return }
        }
    }

    /// Held digests whose time has come go out (when `REMINDERS_HELD_DIGEST` is on).
    private func releaseDueDigests() async throws {
        while !isStopping {
            let releases = try await repository.releaseDueDigests(limit: configuration.batchSize)
            for release in releases {
                logger.info("held digest sent", metadata: [
                    LogKey.eventID: "\(release.digestEventID.uuidString.lowercased())",
                    LogKey.recipient: "user:\(release.userID)",
                    "items": "\(release.items)",
                ])
            }
            digestsSent.increment(by: releases.count)
            if releases.count < configuration.batchSize { return }
        }
    }

    private func fireRemindersUntilDrained() async throws {
        while !isStopping {
            let now = Date()
            let firings = try await repository.fireDueReminders(limit: configuration.batchSize, now: now)
            for firing in firings {
                lateness.recordNanoseconds(Int64(max(0, now.timeIntervalSince(firing.dueAt)) * 1_000_000_000))
                logger.info("reminder fired", metadata: [
                    LogKey.eventID: "\(firing.eventID.uuidString.lowercased())",
                    LogKey.reminderID: "\(firing.reminderID)",
                    "due_at": "\(Timestamp.format(firing.dueAt))",
                    "next_check_at": "\(firing.nextCheckAt.map(Timestamp.format) ?? "none")",
                ])
            }
            fired.add(firings.count, ordering: .relaxed)
            firedCounter.increment(by: firings.count)
            if !firings.isEmpty {
                logger.debug("fired due reminders", metadata: ["reminders": "\(firings.count)"])
            }
            if firings.count < configuration.batchSize { return }
        }
    }

    private func sleep(until next: Date?, sweepDue: ContinuousClock.Instant) async {
        var pause = max(.zero, sweepDue - .now)
        if let next {
            let untilDue = Duration.microseconds(Int64((max(0, next.timeIntervalSinceNow) * 1_000_000).rounded(.up)))
            pause = min(pause, untilDue)
        }
        await wake.wait(upTo: pause)
    }
}
