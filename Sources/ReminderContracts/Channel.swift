/// A way a notification leaves the pipeline: to a person (e-mail, Mattermost, the
/// in-app inbox) or to a system that subscribed to a case's firings (a signed webhook).
public enum Channel: String, Codable, Sendable, CaseIterable, Comparable {
    case email, mattermost, frontend, webhook

    /// The delivery topic its worker consumes; none for the in-app inbox,
    /// whose entry the deciding stage writes in its own transaction (there is
    /// nothing to send, so a topic would only carry a database write back to
    /// the same database).
    public var deliveryTopic: String? {
        switch self {
        case .email: TopicName.deliverEmail
        case .mattermost: TopicName.deliverMattermost
        case .frontend: nil
        case .webhook: TopicName.deliverWebhook
        }
    }

    /// The channels delivered by a worker of their own, each with the topic it consumes.
    public static let workerTopics: [(channel: Channel, topic: String)] = allCases.compactMap { channel in
        channel.deliveryTopic.map { (channel, $0) }
    }

    /// The channels that reach a person, chosen by preferences and reminder flags;
    /// the webhook channel reaches subscriptions instead.
    public static let personal: [Channel] = [.email, .mattermost, .frontend]

    /// Whether the channel reaches a person (so preferences, quiet hours and the
    /// per-person rate limit apply).
    public var isPersonal: Bool { self != .webhook }

    /// E-mail and Mattermost wait out quiet hours; the in-app inbox and
    /// webhooks (systems, not people) do not.
    public var respectsQuietHours: Bool { self == .email || self == .mattermost }

    public static func < (lhs: Channel, rhs: Channel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
