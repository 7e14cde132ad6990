import ArgumentParser
import ReminderDomain
import ReminderScheduler
import ReminderStore

/// `reminders scheduler`: fires time-based and deadline reminders.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Fire time_based and deadline_approaching reminders when due (several may run)."
    )

    func run() async throws {
        try await reportingFailures(of: "scheduler") {
            let runner = try await ServiceRunner(role: "scheduler")
            var configuration = SchedulerConfiguration()
            configuration.enabled = runner.settings.remindersEnabled
            configuration.batchSize = runner.settings.schedulerBatchSize
            configuration.concurrency = runner.settings.schedulerConcurrency
            configuration.caseClosingStatuses = runner.settings.caseClosedStatuses
            configuration.longestSleep = .seconds(runner.settings.checkIntervalMinutes * 60)
            let scheduler = SchedulerService(
                postgres: runner.postgres,
                repository: PostgresSchedulerRepository(
                    postgres: runner.postgres,
                    // REMINDERS_HELD_DIGEST: held e-mails go out as one digest within the same limit.
                    heldDigestLimit: runner.settings.heldDigest ? RateLimitWindow(limit: runner.settings.maxPerUserPerHour) : nil
                ),
                configuration: configuration,
                logger: runner.logger
            )
            try await runner.run([scheduler])
        }
    }
}
