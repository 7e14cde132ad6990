import ArgumentParser
import Foundation
import Observability
import ReminderContracts
import ReminderDelivery
import ReminderDispatcher
import ReminderDomain
import ReminderGateway

/// `reminders describe`: what this binary runs and reads, as JSON, so
/// deployment files can be checked against the code rather than by eye.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Print, as JSON, the roles (sub-commands, ports, consumer groups, topics), every environment variable with its default, and the metrics."
    )

    func run() throws {
        let defaults = try Settings(environment: [:])
        let metricsPort: JSONValue = ["port_variable": "METRICS_PORT", "port": .integer(Int64(defaults.metricsPort))]
        // A long-running role: its members and the metrics port.
        func service(_ members: JSONValue) -> JSONValue {
            guard case .object(var object) = members, case .object(let port) = metricsPort else { return members }
            object.merge(port) { $1 }
            return .object(object)
        }
        var roles: [JSONValue] = [
            ["name": "migrate", "kind": "job", "arguments": ["migrate"]],
            ["name": "topics", "kind": "job", "arguments": ["topics"]],
            ["name": "demo-data", "kind": "job", "arguments": ["demo-data"]],
            service(["name": "relay", "kind": "service", "arguments": ["relay"], "produces": "every topic in TOPICS_DIR"]),
            service(["name": "scheduler", "kind": "service", "arguments": ["scheduler"]]),
            service([
                "name": "dispatcher", "kind": "service", "arguments": ["dispatcher"],
                "consumer_group": .string(DispatcherConfiguration().groupID), "consumes": [.string(TopicName.fired)],
            ]),
        ]
        for (channel, topic) in Channel.workerTopics {
            roles.append(service([
                "name": .string(channel.rawValue), "kind": "service", "arguments": ["worker", .string(channel.rawValue)],
                "consumer_group": .string(DeliveryWorkerConfiguration(channel: channel).groupID),
                "consumes": [.string(topic)],
            ]))
        }
        roles.append([
            "name": "gateway", "kind": "service", "arguments": ["gateway"], "optional_flags": ["--demo"],
            "port_variable": "GATEWAY_PORT", "port": .integer(Int64(defaults.gatewayPort)),
        ])
        let document: JSONValue = [
            "roles": .array(roles),
            "http_paths": [
                "liveness": .string(HealthPaths.liveness), "readiness": .string(HealthPaths.readiness),
                "metrics": .string(HealthPaths.metrics),
            ],
            "variables": .array(Settings.variables().map {
                ["name": .string($0.name), "default": .string($0.defaultValue), "secret": .bool($0.isSecret)]
            }),
            "metrics": .array((MetricName.catalog + GatewayMetricCatalog.entries).map {
                ["name": .string($0.name), "type": .string($0.type), "help": .string($0.help)]
            }),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(document), as: UTF8.self))
    }
}
