/// How pressing a reminder is; `urgent` ignores quiet hours.
public enum Priority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent
}
