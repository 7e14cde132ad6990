import ArgumentParser
import Foundation
import Postgres
import ReminderContracts
import ReminderDelivery
import ReminderDomain
import ReminderStore

/// `reminders dead-letters list|replay`: what the services parked, and
/// putting it back.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List or replay the messages parked on a dead-letter topic.",
        subcommands: [List.self, Replay.self]
    )

    /// Options both sub-commands take.
    struct Source: ParsableArguments {
        @Option(help: "The topic whose dead letters to read, e.g. reminders.deliver.email (or its .dlq name); without KAFKA_TOPIC_PREFIX.")
        var topic: String

        @Option(help: "Seconds to wait for the first letter before deciding the topic is empty.")
        var wait: Double = 10

        /// The dead-letter topic's name on the broker.
        func deadLetterTopic(prefix: String) -> String {
            let name = topic.hasSuffix(".dlq") ? topic : TopicName.deadLetter(of: topic)
            return prefix + name
        }

        func read(settings: Settings) async throws -> [ParkedMessage] {
            let logger = makeLogger(label: "reminders.dead-letters", settings: settings)
            return try await DeadLetterReader(bootstrapServers: settings.kafkaBootstrapServers, logger: logger)
                .read(topic: deadLetterTopic(prefix: settings.kafkaTopicPrefix), firstMessageTimeout: .milliseconds(Int(wait * 1000)))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each parked message: when, topic, event id, reason (one per line, tab-separated)."
        )

        @OptionGroup var source: Source

        func run() async throws {
            try await reportingFailures(of: "dead-letters list") {
                let settings = try Settings()
                let parked = try await source.read(settings: settings)
                for message in parked {
                    if let letter = message.letter {
                        // Letters parked by older versions may hold anything.
                        let fields = [letter.failedAt, letter.sourceTopic, letter.eventID, letter.reason]
                        print(fields.map { StoredText.reason($0) }.joined(separator: "\t"))
                    } else {
                        print(["-", message.topic, "-", "not a dead letter (offset \(message.offset))"].joined(separator: "\t"))
                    }
                }
                FileHandle.standardError.write(Data("\(parked.count) dead letter(s) on \(source.deadLetterTopic(prefix: settings.kafkaTopicPrefix))\n".utf8))
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put parked messages back on their topic (through the outbox): one event id, or all. A letter is replayed once."
        )

        @OptionGroup var source: Source

        @Option(name: .customLong("event-id"), help: "Replay only the letter of this event id.")
        var eventID: String?

        func run() async throws {
            try await reportingFailures(of: "dead-letters replay") {
                let settings = try Settings()
                let logger = makeLogger(label: "reminders.dead-letters", settings: settings)
                let configuration = PostgresConfiguration(url: try settings.requireDatabaseURL())
                try await checkDatabase(configuration, logger: logger)
                let parked = try await source.read(settings: settings)
                let wanted = eventID?.lowercased()
                let chosen = parked.filter { wanted == nil || $0.letter?.eventID.lowercased() == wanted }
                if let wanted, chosen.isEmpty {
                    throw SettingsError("no dead letter with event id \(wanted) on \(source.deadLetterTopic(prefix: settings.kafkaTopicPrefix))")
                }
                let postgres = PostgresClient(configuration: configuration, logger: logger)
                let replayer = DeadLetterReplayer(repository: PostgresDeliveryRepository(postgres: postgres), topicPrefix: settings.kafkaTopicPrefix)
                let lines = try await withPostgres(postgres) {
                    var lines: [String] = []
                    for message in chosen {
                        let id = message.letter?.eventID ?? "-"
                        switch try await replayer.replay(message) {
                        case .replayed(let newID, let topic):
                            lines.append("replayed\t\(id)\t\(topic)\tnew event id \(newID.uuidString.lowercased())")
                        case .alreadyReplayed:
                            lines.append("skipped\t\(id)\treplayed before")
                        case .notReplayable(let reason):
                            lines.append("skipped\t\(id)\t\(reason)")
                        }
                    }
                    return lines
                }
                for line in lines { print(line) }
            }
        }
    }
}
