import ReminderContracts
/// What every channel says about one delivery, in the words users read.
public struct NotificationContent: Sendable, Equatable {
    /// The reminder's title.
    public var title: String
    /// The reminder's message, empty when it has none.
    public var message: String
    /// The case's id.
    public var sagID: Int
    /// The case's title, empty when unknown.
    public var caseTitle: String
    /// `PUBLIC_BASE_URL/sag/<id>`: where the case opens.
    public var caseURL: String
    /// The priority.
    public var priority: Priority

    /// The content of `delivery`, linking to the case under `publicBaseURL`.
    public init(_ delivery: Delivery, publicBaseURL: String) {
        title = delivery.title
        message = delivery.message ?? ""
        sagID = delivery.sagID
        caseTitle = delivery.caseTitle ?? ""
        var base = publicBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        caseURL = "\(base)/sag/\(delivery.sagID)"
        priority = delivery.priority
    }

    /// The priority in Danish, as the hub's users read it.
    public var priorityLabel: String {
        switch priority {
        case .low: "lav"
        case .normal: "normal"
        case .high: "høj"
        case .urgent: "haster"
        }
    }

    /// The values templates may use: `title`, `message`, `sag_id`,
    /// `case_title`, `case_url`, `priority`.
    public var templateValues: [String: String] {
        [
            "title": title, "message": message, "sag_id": String(sagID), "case_title": caseTitle,
            "case_url": caseURL, "priority": priorityLabel,
        ]
    }
}
