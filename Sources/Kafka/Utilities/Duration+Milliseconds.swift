extension Duration {
    /// Whole milliseconds, rounded down, as librdkafka's `*.ms` settings and timeouts expect.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Whole milliseconds clamped to `Int32`, for C timeouts.
    var timeoutMilliseconds: Int32 {
        Int32(clamping: max(0, wholeMilliseconds))
    }
}
