/// The HTTP paths every service answers on its health port (the gateway on
/// its own port).
public enum HealthPaths {
    /// 200 while the process serves requests at all.
    public static let liveness = "/healthz"
    /// 200 when the service should receive work, 503 (with the reasons) otherwise.
    public static let readiness = "/readyz"
    /// The Prometheus text exposition of every metric.
    public static let metrics = "/metrics"
}
