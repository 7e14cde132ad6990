/// Whether the database answers.
public protocol HealthProbe: Sendable {
    /// Returns when the database answered a trivial query; throws otherwise.
    func checkDatabase() async throws
}
