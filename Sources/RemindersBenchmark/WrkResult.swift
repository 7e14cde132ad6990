/// What wrk printed: requests/s, latency percentiles and non-2xx answers.
struct WrkResult: CustomStringConvertible {
    var requestsPerSecond: Double
    var percentiles: [String: Double] = [:] // milliseconds, by "50%", "99%"
    var errors: String?

    init(_ output: String) throws {
        var rate: Double?
        for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), fields.count >= 2 {
                rate = Double(fields[1])
            } else if fields.count == 2, fields[0].hasSuffix("%"), let value = Self.milliseconds(fields[1]) {
                percentiles[fields[0]] = value
            } else if line.hasPrefix("Non-2xx") || line.hasPrefix("Socket errors") {
                errors = (errors.map { $0 + "; " } ?? "") + line
            }
        }
        guard let rate else { throw BenchSetupError("cannot read wrk's output:\n\(output)") }
        requestsPerSecond = rate
    }

    /// wrk's durations: `850.00us`, `4.12ms`, `1.02s`, `1.50m`.
    static func milliseconds(_ text: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            if let value = Double(text.dropLast(unit.count)) { return value * factor }
        }
        return nil
    }

    var description: String {
        let latency = ["50%", "90%", "99%"].compactMap { key in percentiles[key].map { "p\(key.dropLast()) \(format($0, 2)) ms" } }
        return "\(format(requestsPerSecond, 0)) requests/s, " + latency.joined(separator: ", ") + (errors.map { " (\($0))" } ?? "")
    }
}

/// The medians of several wrk runs of one server, each figure on its own (the run with the
/// median rate need not be the one with the median p99).
struct WrkMedians: CustomStringConvertible {
    var requestsPerSecond: Double
    var p50: Double
    var p99: Double
    /// Runs in which wrk saw non-2xx answers or socket errors: their figures are suspect.
    var runsWithErrors: Int

    init(_ runs: [WrkResult]) {
        requestsPerSecond = Summary(runs.map(\.requestsPerSecond)).median
        p50 = Summary(runs.compactMap { $0.percentiles["50%"] }).median
        p99 = Summary(runs.compactMap { $0.percentiles["99%"] }).median
        runsWithErrors = runs.filter { $0.errors != nil }.count
    }

    var description: String {
        "\(format(requestsPerSecond, 0)) requests/s, p50 \(format(p50, 2)) ms, p99 \(format(p99, 2)) ms"
            + (runsWithErrors > 0 ? " (\(runsWithErrors) runs with errors)" : "")
    }
}
