import ArgumentParser
import Foundation
import Postgres
import ReminderContracts
import ReminderDomain
import ReminderStore
import Timestamps

/// `reminders outbox quarantined|requeue`: the outbox rows the relay set
/// aside, and handing them back to it.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List the outbox rows the relay quarantined, or requeue them.",
        subcommands: [Quarantined.self, Requeue.self]
    )

    /// Runs `body` with a store on `DATABASE_URL`.
    static func withQuarantine<R: Sendable>(
        _ body: @Sendable (OutboxQuarantine) async throws -> R
    ) async throws -> R {
        let settings = try Settings()
        let logger = makeLogger(label: "reminders.outbox", settings: settings)
        let configuration = PostgresConfiguration(url: try settings.requireDatabaseURL())
        try await checkDatabase(configuration, logger: logger)
        let postgres = PostgresClient(configuration: configuration, logger: logger)
        return try await withPostgres(postgres) { try await body(OutboxQuarantine(postgres: postgres)) }
    }

    struct Quarantined: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each quarantined row: id, topic, key, error, when, attempts (one per line, tab-separated)."
        )

        @Option(help: "List at most this many rows, oldest first.")
        var limit: Int = 1000

        func run() async throws {
            try await reportingFailures(of: "outbox quarantined") {
                guard limit > 0 else { throw ValidationError("--limit must be positive") }
                let limit = limit
                let rows = try await OutboxCommand.withQuarantine { try await $0.list(limit: limit) }
                for row in rows {
                    print([
                        String(row.id), row.topic, row.key ?? "-", StoredText.reason(row.error),
                        Timestamp.format(row.quarantinedAt), String(row.attempts),
                    ].joined(separator: "\t"))
                }
                FileHandle.standardError.write(Data("\(rows.count) quarantined outbox row(s)\n".utf8))
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Clear the quarantine of rows (by id, or all) so the relay tries them again."
        )

        @Argument(help: "Outbox row ids, as `reminders outbox quarantined` prints them.")
        var ids: [Int64] = []

        @Flag(help: "Requeue every quarantined row.")
        var all = false

        func validate() throws {
            if all == !ids.isEmpty { throw ValidationError("give either outbox row ids or --all") }
        }

        func run() async throws {
            try await reportingFailures(of: "outbox requeue") {
                let ids = ids
                let all = all
                let requeued = try await OutboxCommand.withQuarantine { quarantine in
                    all ? try await quarantine.requeueAll() : try await quarantine.requeue(ids: ids)
                }
                for id in requeued { print("requeued\t\(id)") }
                let missing = Set(ids).subtracting(requeued).sorted()
                for id in missing { print("skipped\t\(id)\tnot quarantined") }
                FileHandle.standardError.write(Data("\(requeued.count) outbox row(s) requeued\n".utf8))
                if !missing.isEmpty { throw ExitCode.failure }
            }
        }
    }
}
