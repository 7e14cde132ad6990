import Foundation

/// A webhook subscription as the API shows it: never its secret.
public struct WebhookSubscription: Sendable, Equatable {
    /// Its id.
    public var id: UUID
    /// The case it follows, or `nil` for a global subscription (every case).
    public var sagID: Int?
    /// Where the calls go.
    public var url: String
    /// The creator's note, if any.
    public var description: String?
    /// Who created it.
    public var createdBy: Int
    /// When it was created.
    public var createdAt: Date

    /// Creates a record.
    public init(id: UUID, sagID: Int?, url: String, description: String?, createdBy: Int, createdAt: Date) {
        self.id = id
        self.sagID = sagID
        self.url = url
        self.description = description
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
