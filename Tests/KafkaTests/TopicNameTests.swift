@testable import Kafka
import Testing

/// The producer refuses a topic name the cluster would refuse, for good and
/// at once, instead of librdkafka's later "unknown topic".
@Suite("Kafka topic names")
struct TopicNameTests {
    @Test("letters, digits, dot, underscore and dash, 1 to 249 of them, are legal")
    func legal() {
        for name in ["reminders.fired", "test-fleet-1a2b.reminders.deliver.email", "A_b-9", "x", String(repeating: "t", count: 249), "..."] {
            #expect(RDKafkaClient.isLegalTopicName(name), "\(name)")
        }
    }

    @Test("empty, too long, dot or dot-dot, spaces, NUL, non-ASCII and punctuation are not")
    func illegal() {
        for name in ["", String(repeating: "t", count: 250), ".", "..", "with space", "nul\u{0}", "påmindelse", "a/b", "a:b", "topic!"] {
            #expect(!RDKafkaClient.isLegalTopicName(name), "\(name.debugDescription)")
        }
    }
}
