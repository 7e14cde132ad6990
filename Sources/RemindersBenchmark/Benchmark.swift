import ArgumentParser

/// Benchmarks of the pipeline's stages against the real servers. Not tests:
/// they print figures (medians and percentiles), they assert nothing.
@main
struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders-bench",
        abstract: "Measure the reminder pipeline on this machine (PostgreSQL and the broker must be running).",
        subcommands: [
            RelayThroughput.self, TriggerLatency.self, SchedulerSteady.self, SchedulerBurst.self, DispatcherThroughput.self, DeliveryThroughput.self,
            DeliveryLatency.self, GatewayPending.self, StatisticsQueries.self,
        ]
    )
}
