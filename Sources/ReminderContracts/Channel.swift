/// A way a notification reaches a person.
public enum Channel: String, Codable, Sendable, CaseIterable, Comparable {
    case email, mattermost, frontend

    /// The channel's delivery topic.
    public var deliveryTopic: String {
        switch self {
        case .email: TopicName.deliverEmail
        case .mattermost: TopicName.deliverMattermost
        case .frontend: TopicName.deliverFrontend
        }
    }

    /// E-mail and Mattermost wait out quiet hours; the in-app inbox does not.
    public var respectsQuietHours: Bool { self != .frontend }

    public static func < (lhs: Channel, rhs: Channel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
