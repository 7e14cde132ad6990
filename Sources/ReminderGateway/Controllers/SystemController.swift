import Foundation
import Hummingbird
import Observability
import Prometheus
import ReminderStore

/// Health, readiness, the OpenAPI document, the browser script, the history page and the demo page.
struct SystemController<Health: HealthProbe> {
    let health: Health
    let notifier: InboxNotifier
    let resources: GatewayResources
    let demoEnabled: Bool
    /// Shutdown turns readiness off; `nil` in tests that build the router alone.
    let readiness: Readiness?
    /// Served on `/metrics`.
    let metrics: PrometheusCollectorRegistry?

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/healthz") { _, _ in
            Representations.response(.object([("status", .string("ok"))]))
        }
        routes.add(.get, "/readyz") { _, _ in
            if readiness?.isShuttingDown == true {
                throw GatewayError(status: .serviceUnavailable, code: "not-ready", message: "shutting down", isRetriable: true)
            }
            do {
                try await health.checkDatabase()
            } catch {
                throw GatewayError(status: .serviceUnavailable, code: "not-ready", message: "the database is not reachable", isRetriable: true)
            }
            guard notifier.isListening else {
                throw GatewayError(status: .serviceUnavailable, code: "not-ready", message: "not yet listening for new notifications", isRetriable: true)
            }
            return Representations.response(.object([("status", .string("ready")), ("database", .string("ok")), ("listener", .string("ok"))]))
        }
        // Always routed, as documented; without a registry (tests that build the
        // router alone) it has no samples to show.
        let registry = metrics ?? PrometheusCollectorRegistry()
        routes.add(.get, HealthPaths.metrics) { _, _ in
            Response.metrics(of: registry)
        }
        routes.add(.get, "/openapi.json") { _, _ in
            Self.file(resources.openAPI, contentType: "application/json")
        }
        routes.add(.get, "/static/notifications.js") { _, _ in
            Self.file(resources.notificationsScript, contentType: "text/javascript; charset=utf-8")
        }
        routes.add(.get, "/reminders/history") { _, _ in
            Self.file(resources.historyPage, contentType: "text/html; charset=utf-8")
        }
        if demoEnabled {
            routes.add(.get, "/demo") { _, _ in
                Self.file(resources.demoPage, contentType: "text/html; charset=utf-8")
            }
        }
    }

    static func file(_ bytes: ByteBuffer, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: bytes))
    }
}

/// The files the gateway serves, read once from the module's resources.
struct GatewayResources: Sendable {
    let openAPI: ByteBuffer
    let notificationsScript: ByteBuffer
    let demoPage: ByteBuffer
    /// The signed-in user's notification history with a chart of the last 30 days.
    let historyPage: ByteBuffer

    static func load() throws -> GatewayResources {
        func read(_ name: String) throws -> ByteBuffer {
            // Foundation on Linux takes a bundle's `Resources` folder as its resource folder;
            // elsewhere the copied folder sits inside the resource folder.
            let candidates = [Bundle.module.resourceURL, Bundle.module.resourceURL?.appendingPathComponent("Resources"),
                              Bundle.module.bundleURL.appendingPathComponent("Resources")]
                .compactMap { $0?.appendingPathComponent(name).path }
            guard let data = candidates.lazy.compactMap({ FileManager.default.contents(atPath: $0) }).first else {
                throw GatewayError(status: .internalServerError, code: "missing-resource", message: "the gateway resource \(name) is missing")
            }
            return ByteBuffer(bytes: data)
        }
        return GatewayResources(openAPI: try read("openapi.json"), notificationsScript: try read("notifications.js"), demoPage: try read("demo.html"),
                                historyPage: try read("history.html"))
    }
}
