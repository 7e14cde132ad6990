/// Why a delivery cannot be rendered: a permanent failure.
public struct RenderingError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}
