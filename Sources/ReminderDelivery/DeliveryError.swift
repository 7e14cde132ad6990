/// The one error type of the delivery module. Every one is permanent: a
/// setting or template that is missing, or a delivery that cannot be made
/// into a message. A send that fails is not an error but a `SendOutcome`,
/// which carries its own retry decision.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A setting or bundled resource is missing or wrong.
        case configuration
        /// The delivery cannot be rendered for its channel (no usable
        /// address, a header that cannot be folded): it is recorded failed.
        case rendering
    }

    /// The kind of failure.
    public let code: Code
    /// What is wrong, free of secrets.
    public let description: String

    /// Creates an error.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Never: trying the same work again meets the same setting or content.
    public var isRetriable: Bool { false }
}
