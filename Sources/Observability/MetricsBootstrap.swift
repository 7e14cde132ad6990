import Synchronization
import Metrics
import Prometheus

/// The process's one Prometheus registry, installed as the swift-metrics
/// backend the first time it is asked for.
public enum MetricsBootstrap {
    /// Bootstraps swift-metrics with a Prometheus factory (once per process)
    /// and returns its registry. Dots in names, as libraries such as
    /// Hummingbird use them, become underscores, which Prometheus requires.
    /// `durationBuckets` sets histogram buckets for named timers.
    public static func prometheus(durationBuckets: [String: [Duration]] = [:]) -> PrometheusCollectorRegistry {
        installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = durationBuckets
            factory.nameAndLabelSanitizer = { name, labels in
                (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
            }
            MetricsSystem.bootstrap(factory)
            installed = registry
            return registry
        }
    }

    static func prometheusName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
    }

    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)
}
