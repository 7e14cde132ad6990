/// The one error type of the delivery module: what went wrong, in words free
/// of secrets, and whether trying again may help.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// A setting or bundled resource is missing or wrong.
        public static let configuration = Code(name: "configuration")
        /// A dead letter cannot be read or replayed.
        public static let deadLetter = Code(name: "dead letter")
        /// The kind's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String
    /// Whether trying again may succeed.
    public var isRetriable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, isRetriable: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
    }

    /// The message.
    public var description: String { message }
}
