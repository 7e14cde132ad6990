import Foundation

/// A case of the host application (`sag_sager`), as far as the demo needs it.
public struct CaseRecord: Sendable, Equatable {
    /// Its id.
    public var id: Int
    /// Its title (`titel`).
    public var title: String
    /// Its status.
    public var status: String
    /// Its deadline, if any.
    public var deadline: Date?

    /// A case.
    public init(id: Int, title: String, status: String, deadline: Date?) {
        self.id = id
        self.title = title
        self.status = status
        self.deadline = deadline
    }
}
