import Foundation
import Hummingbird
import ReminderContracts
import ReminderDomain
import ReminderStore
import Timestamps

/// The JSON shapes of the API (documented in `openapi.json`).
enum Representations {
    static func timestamp(_ date: Date?) -> JSONOutput {
        JSONOutput.optional(date) { .string(Timestamp.format($0)) }
    }

    static func string(_ text: String?) -> JSONOutput {
        JSONOutput.optional(text) { .string($0) }
    }

    static func bool(_ flag: Bool?) -> JSONOutput {
        JSONOutput.optional(flag) { .bool($0) }
    }

    /// A reminder; `redacted` (a caller who is not involved) leaves out the outside
    /// addresses and says so in `redacted_fields`.
    static func reminder(_ record: ReminderRecord, redacted: Bool = false) -> JSONOutput {
        let draft = record.draft
        let config = (try? JSONValue.object(draft.triggerConfig).jsonText()) ?? "{}"
        let emails: [JSONOutput] = redacted ? [] : draft.recipientEmails.map { .string($0) }
        return .object([
            ("id", .int(record.id)),
            ("sag_id", .int(record.sagID)),
            ("title", .string(draft.title)),
            ("message", string(draft.message)),
            ("priority", .string(draft.priority.rawValue)),
            ("trigger_type", .string(draft.triggerType.rawValue)),
            ("trigger_config", .raw(config)),
            ("recipient_user_ids", .array(draft.recipientUserIDs.map { .int($0) })),
            ("recipient_emails", .array(emails)),
            ("notify_mattermost", bool(draft.notifyMattermost)),
            ("notify_email", bool(draft.notifyEmail)),
            ("notify_frontend", bool(draft.notifyFrontend)),
            ("override_user_preferences", .bool(draft.overrideUserPreferences)),
            ("recurrence_type", .string(draft.recurrenceType.rawValue)),
            ("timezone", .string(draft.timezone)),
            ("scheduled_at", timestamp(draft.scheduledAt)),
            ("next_check_at", timestamp(record.nextCheckAt)),
            ("last_fired_at", timestamp(record.lastFiredAt)),
            ("fire_count", .int(record.fireCount)),
            ("is_active", .bool(draft.isActive)),
            ("escalation", .array(draft.escalation.map { step in
                .object([
                    ("after_minutes", .int(step.afterMinutes)),
                    ("to_user_ids", .array(step.toUserIDs.map { .int($0) })),
                    ("channels", .array(step.channels.map { .string($0.rawValue) })),
                ])
            })),
            ("created_by_user_id", JSONOutput.optional(record.createdByUserID) { .int($0) }),
            ("created_at", timestamp(record.createdAt)),
            ("updated_at", timestamp(record.updatedAt)),
            ("deleted_at", timestamp(record.deletedAt)),
            ("redacted_fields", .array(redacted ? [.string("recipient_emails")] : [])),
        ])
    }

    static func inboxEntry(_ entry: InboxEntry) -> JSONOutput {
        .object([
            ("id", .int(entry.id)),
            ("reminder_id", .int(entry.reminderID)),
            ("sag_id", .int(entry.sagID)),
            ("event_id", .string(entry.eventID)),
            ("title", .string(entry.title)),
            ("message", string(entry.message)),
            ("priority", .string(entry.priority)),
            ("case_title", string(entry.caseTitle)),
            ("created_at", timestamp(entry.createdAt)),
        ])
    }

    static func held(_ list: HeldList) -> JSONOutput {
        .object([
            ("count", .int(list.count)),
            ("items", .array(list.items.map { item in
                .object([
                    ("id", .int(item.id)),
                    ("event_id", .string(item.eventID)),
                    ("reminder_id", .int(item.reminderID)),
                    ("sag_id", .int(item.sagID)),
                    ("title", .string(item.title)),
                    ("message", string(item.message)),
                    ("priority", .string(item.priority)),
                    ("case_title", string(item.caseTitle)),
                    ("held_at", timestamp(item.heldAt)),
                    ("reason", string(item.reason)),
                ])
            })),
        ])
    }

    static func preferences(_ preferences: NotificationPreferences, userID: Int) -> JSONOutput {
        .object([
            ("user_id", .int(userID)),
            ("notify_mattermost", .bool(preferences.notifyMattermost)),
            ("notify_email", .bool(preferences.notifyEmail)),
            ("notify_frontend", .bool(preferences.notifyFrontend)),
            ("quiet_hours_enabled", .bool(preferences.quietHoursEnabled)),
            ("quiet_hours_start", string(preferences.quietHoursStart)),
            ("quiet_hours_end", string(preferences.quietHoursEnd)),
            ("email_override", string(preferences.emailOverride)),
            ("mattermost_username", string(preferences.mattermostUsername)),
            ("timezone", .string(preferences.timezone)),
        ])
    }

    /// A log row; `redacted` leaves out the address, the error text (which can quote
    /// addresses and server answers) and a reason that names an address.
    static func logEntry(_ entry: ExecutionLogEntry, redacted: Bool = false) -> JSONOutput {
        let reason = redacted && (entry.reason?.contains("@") ?? false) ? nil : entry.reason
        return .object([
            ("id", .int(entry.id)),
            ("event_id", string(entry.eventID)),
            ("user_id", JSONOutput.optional(entry.userID) { .int($0) }),
            ("recipient_email", string(redacted ? nil : entry.recipientEmail)),
            ("channel", string(entry.channel)),
            ("status", .string(entry.status)),
            ("interaction_type", string(entry.interactionType)),
            ("reason", string(reason)),
            ("error_message", string(redacted ? nil : entry.errorMessage)),
            ("snoozed_until", timestamp(entry.snoozedUntil)),
            ("attempt", .int(entry.attempt)),
            ("created_at", timestamp(entry.createdAt)),
        ])
    }

    static func interaction(_ result: InteractionResult) -> JSONOutput {
        var members: [(String, JSONOutput)] = [
            ("reminder_id", .int(result.reminderID)),
            ("status", .string(result.status)),
            ("at", timestamp(result.at)),
        ]
        if result.status == "snoozed" { members.append(("snoozed_until", timestamp(result.snoozedUntil))) }
        return .object(members)
    }

    static func caseRecord(_ record: CaseRecord) -> JSONOutput {
        .object([
            ("id", .int(record.id)),
            ("titel", .string(record.title)),
            ("status", .string(record.status)),
            ("deadline", timestamp(record.deadline)),
        ])
    }

    /// A webhook subscription; `secret` only in the answer that creates it.
    static func webhook(_ subscription: WebhookSubscription, secret: String? = nil) -> JSONOutput {
        var members: [(String, JSONOutput)] = [
            ("id", .string(subscription.id.uuidString.lowercased())),
            ("sag_id", JSONOutput.optional(subscription.sagID) { .int($0) }),
            ("url", .string(subscription.url)),
            ("description", string(subscription.description)),
            ("created_by", .int(subscription.createdBy)),
            ("created_at", timestamp(subscription.createdAt)),
        ]
        if let secret { members.append(("secret", .string(secret))) }
        return .object(members)
    }

    /// A JSON response.
    static func response(_ body: JSONOutput, status: HTTPResponse.Status = .ok) -> Response {
        response(ByteBuffer(string: body.text), status: status)
    }

    /// A JSON response from text already written.
    static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }
}
