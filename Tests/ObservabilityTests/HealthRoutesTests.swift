import Foundation
import Hummingbird
import HummingbirdTesting
import Metrics
import Prometheus
import Testing

@testable import Observability

@Suite("Health, readiness and metrics routes")
struct HealthRoutesTests {
    func withRoutes(
        readiness: Readiness, registry: PrometheusCollectorRegistry,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let router = Router()
        router.addHealthRoutes(readiness: readiness, registry: registry)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    @Test("/healthz answers 200 whatever readiness says")
    func liveness() async throws {
        let readiness = Readiness()
        readiness.require("consumer", reason: "not consuming yet")
        try await withRoutes(readiness: readiness, registry: PrometheusCollectorRegistry()) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("/readyz is 503 with the reasons until every condition holds, 200 then, 503 again once shutdown begins")
    func readiness() async throws {
        let readiness = Readiness()
        readiness.require("consumer", reason: "not consuming yet")
        let databaseUp = LockedFlag(false)
        readiness.addCheck("database") { databaseUp.value ? nil : "connection refused" }
        try await withRoutes(readiness: readiness, registry: PrometheusCollectorRegistry()) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let text = String(buffer: response.body)
                #expect(text.contains("consumer: not consuming yet"))
                #expect(text.contains("database: connection refused"))
            }
            readiness.satisfy("consumer")
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!String(buffer: response.body).contains("consumer"))
            }
            databaseUp.value = true
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
            readiness.beginShutdown()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("shutting down"))
            }
        }
    }

    @Test("/metrics shows the registry's samples in the Prometheus text format")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = registry.makeCounter(name: "test_processed_total", labels: [("topic", "t")])
        counter.increment(by: Int64(3))
        try await withRoutes(readiness: Readiness(), registry: registry) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE test_processed_total counter"))
                #expect(text.contains(#"test_processed_total{topic="t"} 3"#))
            }
        }
    }

    @Test("metric and label names with dots become Prometheus names", arguments: [
        ("hb.requests", "hb_requests"), ("http.server.request.duration", "http_server_request_duration"),
        ("reminders_consumer_lag", "reminders_consumer_lag"), ("a-b c", "a_b_c"), ("ns:name", "ns:name"),
    ])
    func names(_ pair: (String, String)) {
        #expect(MetricsBootstrap.prometheusName(pair.0) == pair.1)
    }
}

/// A flag a readiness check reads while the test flips it.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Bool
    init(_ value: Bool) { stored = value }
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
