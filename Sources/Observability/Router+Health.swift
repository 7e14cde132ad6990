import Hummingbird
import Prometheus

extension Router {
    /// Adds `/healthz`, `/readyz` and `/metrics`: unauthenticated, because
    /// probes and scrapers carry no user token.
    public func addHealthRoutes(readiness: Readiness, registry: PrometheusCollectorRegistry) {
        get(RouterPath(HealthPaths.liveness)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        get(RouterPath(HealthPaths.readiness)) { _, _ in
            let unmet = await readiness.unmetConditions()
            let text = unmet.isEmpty ? "ready\n" : "not ready: " + unmet.joined(separator: "; ") + "\n"
            return Response(
                status: unmet.isEmpty ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        get(RouterPath(HealthPaths.metrics)) { _, _ in
            Response.metrics(of: registry)
        }
    }
}

extension Response {
    /// `registry` in the Prometheus text exposition format, as `/metrics` serves it.
    public static func metrics(of registry: PrometheusCollectorRegistry) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
