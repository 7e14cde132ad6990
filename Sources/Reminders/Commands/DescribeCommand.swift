import ArgumentParser
import Foundation
import Observability
import ReminderContracts
import ReminderDelivery
import ReminderDispatcher
import ReminderGateway
import ReminderDomain

/// `reminders describe`: what this binary runs and reads, as JSON, so
/// deployment files can be checked against the code rather than by eye.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Print, as JSON, the roles (sub-commands, ports, consumer groups, topics), every environment variable with its default, and the metrics."
    )

    func run() throws {
        let defaults = try Settings(environment: [:])
        let metricsPort: [String: Any] = ["port_variable": "METRICS_PORT", "port": defaults.metricsPort]
        var roles: [[String: Any]] = [
            ["name": "migrate", "kind": "job", "arguments": ["migrate"]],
            ["name": "topics", "kind": "job", "arguments": ["topics"]],
            ["name": "demo-data", "kind": "job", "arguments": ["demo-data"]],
            ["name": "relay", "kind": "service", "arguments": ["relay"], "produces": "every topic in TOPICS_DIR"].merging(metricsPort) { $1 },
            ["name": "scheduler", "kind": "service", "arguments": ["scheduler"]].merging(metricsPort) { $1 },
            [
                "name": "dispatcher", "kind": "service", "arguments": ["dispatcher"],
                "consumer_group": DispatcherConfiguration().groupID, "consumes": [TopicName.fired],
            ].merging(metricsPort) { $1 },
        ]
        for channel in Channel.allCases {
            roles.append([
                "name": channel.rawValue, "kind": "service", "arguments": ["worker", channel.rawValue],
                "consumer_group": DeliveryWorkerConfiguration(channel: channel).groupID, "consumes": [channel.deliveryTopic],
            ].merging(metricsPort) { $1 })
        }
        roles.append([
            "name": "gateway", "kind": "service", "arguments": ["gateway"], "optional_flags": ["--demo"],
            "port_variable": "GATEWAY_PORT", "port": defaults.gatewayPort,
        ])
        let document: [String: Any] = [
            "roles": roles,
            "http_paths": ["liveness": HealthPaths.liveness, "readiness": HealthPaths.readiness, "metrics": HealthPaths.metrics],
            "variables": Settings.variables().map { ["name": $0.name, "default": $0.defaultValue, "secret": $0.isSecret] as [String: Any] },
            "metrics": (MetricName.catalog + GatewayMetricCatalog.entries).map { ["name": $0.name, "type": $0.type, "help": $0.help] },
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
