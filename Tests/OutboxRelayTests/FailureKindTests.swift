import Kafka
@testable import OutboxRelay
import Testing

/// Which failed sends quarantine a row, which count against it, and which
/// never touch it (a broker outage must quarantine nothing).
@Suite("Relay failure kinds")
struct FailureKindTests {
    @Test("the broker away, a timeout, a stop or a fatal error: transport, never counted")
    func transport() {
        let cases = [
            KafkaError(code: .produce, message: "all brokers down", isRetriable: true),
            KafkaError(code: .timeout, message: "message timed out", isRetriable: true),
            KafkaError(code: .shutdown, message: "stopped", isRetriable: true),
            KafkaError(code: .fatal, message: "fenced", isFatal: true),
            // A timeout stays transport even when the record was concerned.
            KafkaError(code: .timeout, message: "timed out", isRetriable: true, concernsRecord: true),
            KafkaError(code: .fatal, message: "fatal", isFatal: true, concernsRecord: true),
        ]
        for error in cases { #expect(OutboxRelay.kind(of: error) == .transport, "\(error)") }
    }

    @Test("the record refused for good (too large, invalid, invalid topic): quarantined at once")
    func refused() {
        let error = KafkaError(code: .produce, message: "message size too large", concernsRecord: true)
        #expect(OutboxRelay.kind(of: error) == .refused)
    }

    @Test("the record's topic unknown so far, or an unclassified error: one counted attempt")
    func attempt() {
        #expect(OutboxRelay.kind(of: KafkaError(code: .produce, message: "unknown topic", isRetriable: true, concernsRecord: true)) == .attempt)
        #expect(OutboxRelay.kind(of: KafkaError(code: .produce, message: "something new")) == .attempt)
    }
}
