import ArgumentParser
import ReminderContracts
import ReminderDispatcher
import ReminderDomain
import ReminderStore

/// `reminders dispatcher`: fans firings out to recipients and channels.
struct DispatcherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher",
        abstract: "Consume reminders.fired; apply preferences, quiet hours and the rate limit; emit deliveries."
    )

    func run() async throws {
        try await reportingFailures(of: "dispatcher") {
            let runner = try await ServiceRunner(role: "dispatcher", statementPlanning: PostgresDispatchRepository.statementPlanning)
            try await runner.checkBroker()
            var configuration = DispatcherConfiguration()
            configuration.enabled = runner.settings.remindersEnabled
            configuration.maxPerRecipientPerHour = runner.settings.maxPerUserPerHour
            configuration.batchSize = runner.settings.queueBatchSize
            configuration.batchesInFlight = runner.settings.dispatcherBatchesInFlight
            configuration.backlogBatches = runner.settings.dispatcherBacklogBatches
            let dispatcher = DispatcherService(
                repository: PostgresDispatchRepository(postgres: runner.postgres, recordsHeld: runner.settings.heldDigest),
                consumerConfiguration: runner.consumerConfiguration(group: configuration.groupID, topics: [TopicName.fired]),
                configuration: configuration,
                logger: runner.logger,
                readiness: runner.readiness
            )
            try await runner.run([dispatcher])
        }
    }
}
