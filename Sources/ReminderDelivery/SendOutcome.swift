/// How one send went.
public enum SendOutcome: Sendable, Equatable {
    /// Accepted by the server; the detail says by whom / with what.
    case delivered(String)
    /// Failed for a reason that may pass; `retryAfter` when the server said when.
    case transient(String, retryAfter: Double?)
    /// Failed for good.
    case permanent(String)
}
