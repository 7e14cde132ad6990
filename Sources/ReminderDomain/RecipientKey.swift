/// Who a notification is for: a user of the hub, or a bare e-mail address.
/// The rate limit counts per key.
public enum RecipientKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case user(Int)
    case email(String)

    /// `user:42` or `email:a@b.dk`: the form used in keys and logs.
    public var description: String {
        switch self {
        case .user(let id): "user:\(id)"
        case .email(let address): "email:\(address.lowercased())"
        }
    }

    /// The Kafka message key of this recipient's deliveries.
    public var messageKey: String {
        switch self {
        case .user(let id): String(id)
        case .email(let address): address.lowercased()
        }
    }

    public static func < (lhs: RecipientKey, rhs: RecipientKey) -> Bool {
        lhs.description < rhs.description
    }
}
