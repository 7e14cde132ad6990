import ArgumentParser

/// The single binary: each sub-command runs one role of the pipeline or one
/// operator task.
@main
struct RemindersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "Case reminders: the services of the reminder pipeline and their operator commands.",
        subcommands: [
            MigrateCommand.self, TopicsCommand.self, RelayCommand.self, SchedulerCommand.self, DispatcherCommand.self,
            WorkerCommand.self, DeadLettersCommand.self, OutboxCommand.self, GatewayCommand.self, DemoDataCommand.self, DescribeCommand.self,
        ]
    )
}
