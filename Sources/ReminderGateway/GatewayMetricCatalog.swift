/// The request metrics Hummingbird's `MetricsMiddleware` exports on the
/// gateway (its dotted names, dots made underscores by the Prometheus
/// exporter), listed beside the pipeline's own (`MetricName.catalog`) by
/// `reminders describe`.
public enum GatewayMetricCatalog {
    /// Every gateway request metric with its Prometheus type and help text.
    public static let entries: [(name: String, type: String, help: String)] = [
        ("hb_requests", "counter", "Gateway requests, per route, method and status."),
        ("hb_request_errors", "counter", "Gateway requests that failed, per route and method."),
        ("http_server_request_duration", "histogram", "Gateway request duration in seconds, per route, method and status."),
        ("http_server_active_requests", "gauge", "Gateway requests in progress, per method."),
    ]
}
