import Foundation
import ReminderContracts
import ReminderDomain

/// The JSON body posted to a Mattermost incoming webhook for one delivery.
public struct MattermostPost: Codable, Sendable, Equatable {
    /// The message, in Mattermost's Markdown.
    public var text: String
    /// `@username` to reach the user directly; `nil` posts to the webhook's own channel.
    public var channel: String?

    /// Creates a post.
    public init(text: String, channel: String?) {
        self.text = text
        self.channel = channel
    }

    /// The post for `delivery`: title, message, priority and a link to the
    /// case. The user's words are made inert (``userText(_:)``); only our
    /// own link to the case is a link.
    public static func render(_ delivery: Delivery, publicBaseURL: String) -> MattermostPost {
        let content = NotificationContent(delivery, publicBaseURL: publicBaseURL)
        let icon = switch delivery.priority {
        case .urgent: ":rotating_light:"
        case .high: ":warning:"
        case .normal, .low: ":bell:"
        }
        var lines = ["#### \(icon) Påmindelse: \(userText(content.title))"]
        if !content.message.isEmpty {
            lines.append(userText(content.message))
        }
        lines.append("**Prioritet:** \(content.priorityLabel)")
        let caseName = content.caseTitle.isEmpty ? "Sag \(content.sagID)" : "Sag \(content.sagID): \(userText(content.caseTitle))"
        lines.append("[\(caseName)](\(content.caseURL))")
        let username = delivery.mattermostUsername?.trimmingCharacters(in: .whitespaces).droppingAtSign()
        return MattermostPost(
            text: lines.joined(separator: "\n"),
            channel: username.flatMap { $0.isEmpty ? nil : "@\($0)" }
        )
    }

    /// The JSON body; `channel` is left out when `nil`.
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Backslash-escapes what Markdown would otherwise read as formatting or
    /// links, so a title shows as typed.
    public static func escapeMarkdown(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\`*_[]()<>#|~".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension String {
    fileprivate func droppingAtSign() -> String {
        hasPrefix("@") ? String(dropFirst()) : self
    }
}
