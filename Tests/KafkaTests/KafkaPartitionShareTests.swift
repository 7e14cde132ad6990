import Kafka
import Testing

@Suite("Partition share of a lease-sharing member")
struct KafkaPartitionShareTests {
    static func partitions(_ counts: [String: Int32]) -> [KafkaTopicPartition] {
        counts.flatMap { topic, count in (0..<count).map { KafkaTopicPartition(topic: topic, partition: $0) } }
    }

    @Test("every partition goes to exactly one member, and shares differ by at most one", arguments: 1...6)
    func disjointAndBalanced(memberCount: Int) {
        let members = (0..<memberCount).map { "member-\($0)" }
        for counts in [["a": 1], ["a": 4], ["a": 12], ["a": 5, "b": 3], ["a": 0]] as [[String: Int32]] {
            let all = Self.partitions(counts)
            let shares = members.map { KafkaPartitionShare.share(of: $0, among: members, partitions: all) }
            var owners: [KafkaTopicPartition: Int] = [:]
            for share in shares { for partition in share { owners[partition, default: 0] += 1 } }
            #expect(Set(owners.keys) == Set(all), "\(counts) among \(memberCount): some partition has no owner")
            #expect(owners.values.allSatisfy { $0 == 1 }, "\(counts) among \(memberCount): a partition has two owners")
            let sizes = shares.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "\(counts) among \(memberCount): shares \(sizes)")
        }
    }

    @Test("the deal does not depend on the order members and partitions are listed in")
    func orderIndependent() {
        let all = Self.partitions(["t": 7, "u": 2])
        let members = ["c", "a", "b"]
        for member in members {
            let one = KafkaPartitionShare.share(of: member, among: members, partitions: all)
            let other = KafkaPartitionShare.share(of: member, among: members.reversed(), partitions: all.reversed())
            #expect(one == other)
        }
    }

    @Test("a member missing from the list still counts, and alone it reads everything")
    func selfCounts() {
        let all = Self.partitions(["t": 4])
        #expect(KafkaPartitionShare.share(of: "a", among: [], partitions: all) == Set(all))
        let mine = KafkaPartitionShare.share(of: "b", among: ["a"], partitions: all)
        let theirs = KafkaPartitionShare.share(of: "a", among: ["a", "b"], partitions: all)
        #expect(mine.count == 2 && mine.isDisjoint(with: theirs) && mine.union(theirs) == Set(all))
    }
}
