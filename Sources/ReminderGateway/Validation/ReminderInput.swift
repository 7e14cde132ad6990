import Foundation
import ReminderContracts
import ReminderDomain
import ReminderStore

/// Reads a reminder body (create or PATCH) onto a draft and checks the result as a whole.
enum ReminderInput {
    static let createFields: Set<String> = [
        "title", "message", "priority", "trigger_type", "trigger_config", "recipient_user_ids", "recipient_emails",
        "notify_mattermost", "notify_email", "notify_frontend", "override_user_preferences", "recurrence_type",
        "scheduled_at", "timezone", "escalation",
    ]
    static let updateFields: Set<String> = createFields.union(["is_active"])

    /// A new reminder from a create body; without recipients the creator is the recipient.
    static func create(from body: RequestJSON, creator: Int, now: Date = Date()) throws(GatewayError) -> ReminderDraft {
        try body.rejectUnknown(allowed: createFields)
        guard body.has("title"), !body.isNull("title") else { throw .invalid("title", "is required") }
        guard body.has("trigger_type"), !body.isNull("trigger_type") else { throw .invalid("trigger_type", "is required") }
        var draft = try apply(body, to: ReminderDraft())
        if draft.recipientUserIDs.isEmpty, draft.recipientEmails.isEmpty {
            draft.recipientUserIDs = [creator]
        }
        try validate(draft)
        return draft
    }

    /// The stored reminder changed by a PATCH body. Moving `scheduled_at` or changing the
    /// recurrence re-arms the reminder (it becomes active again) when it can still fire, unless
    /// the body sets `is_active` itself.
    static func update(_ record: ReminderRecord, with body: RequestJSON, now: Date = Date()) throws(GatewayError) -> ReminderDraft {
        try body.rejectUnknown(allowed: updateFields)
        for required in ["title", "trigger_type", "priority", "recurrence_type", "timezone", "trigger_config",
                         "recipient_user_ids", "recipient_emails", "override_user_preferences", "is_active"] where body.isNull(required) {
            throw .invalid(required, "must not be null")
        }
        var draft = try apply(body, to: record.draft)
        if let active = try body.bool("is_active") {
            draft.isActive = active
        } else if draft.triggerType == .timeBased,
                  draft.scheduledAt != record.draft.scheduledAt || draft.recurrenceType != record.draft.recurrenceType,
                  draft.recurrenceType != .once || (draft.scheduledAt.map { $0 > now } ?? false) {
            draft.isActive = true
        }
        if draft.recipientUserIDs.isEmpty, draft.recipientEmails.isEmpty {
            throw .invalid("recipient_user_ids", "a reminder needs at least one recipient")
        }
        try validate(draft)
        return draft
    }

    private static func apply(_ body: RequestJSON, to start: ReminderDraft) throws(GatewayError) -> ReminderDraft {
        var draft = start
        if let title = try body.string("title", maxLength: InputRules.titleMaxLength) { draft.title = title }
        if body.has("message") {
            draft.message = try body.string("message", maxLength: InputRules.messageMaxLength, trim: false, allowEmpty: true)
        }
        if let priority = try body.choice("priority", as: Priority.self) { draft.priority = priority }
        if let trigger = try body.choice("trigger_type", as: TriggerType.self) { draft.triggerType = trigger }
        if let recurrence = try body.choice("recurrence_type", as: RecurrenceType.self) { draft.recurrenceType = recurrence }
        if let config = try body.object("trigger_config") { draft.triggerConfig = config }
        if let items = try body.array("recipient_user_ids", maxCount: InputRules.maxRecipients) {
            var ids: [Int] = []
            for (index, item) in items.enumerated() {
                let id = try RequestJSON.integer(item, field: "recipient_user_ids[\(index)]", range: InputRules.userIDs)
                if !ids.contains(id) { ids.append(id) }
            }
            draft.recipientUserIDs = ids
        }
        if let items = try body.array("recipient_emails", maxCount: InputRules.maxRecipients) {
            var emails: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let raw) = item else { throw .invalid("recipient_emails[\(index)]", "must be a string") }
                let email = raw.trimmingCharacters(in: .whitespaces)
                guard InputRules.isEmailAddress(email) else { throw .invalid("recipient_emails[\(index)]", "is not a valid e-mail address") }
                if !emails.contains(where: { $0.caseInsensitiveCompare(email) == .orderedSame }) { emails.append(email) }
            }
            draft.recipientEmails = emails
        }
        if body.has("notify_mattermost") { draft.notifyMattermost = try body.bool("notify_mattermost") }
        if body.has("notify_email") { draft.notifyEmail = try body.bool("notify_email") }
        if body.has("notify_frontend") { draft.notifyFrontend = try body.bool("notify_frontend") }
        if let override = try body.bool("override_user_preferences") { draft.overrideUserPreferences = override }
        if let zone = try body.string("timezone", maxLength: 64) {
            guard InputRules.isTimeZone(zone) else { throw .invalid("timezone", "is not an IANA time zone such as Europe/Copenhagen") }
            draft.timezone = zone
        }
        if body.has("escalation") {
            draft.escalation = try escalation(body.array("escalation", maxCount: EscalationPlanner.maximumSteps) ?? [])
        }
        if body.has("scheduled_at") {
            if let text = try body.string("scheduled_at", maxLength: 40) {
                guard let date = InputRules.scheduledTime(text, timeZone: draft.timezone) else {
                    throw .invalid("scheduled_at", "must be an ISO 8601 date and time such as 2026-02-10T14:30:00+01:00")
                }
                draft.scheduledAt = date
            } else {
                draft.scheduledAt = nil
            }
        }
        return draft
    }

    /// The steps of `escalation`, each an object of exactly `after_minutes`, `to_user_ids` and
    /// `channels`; then the planner's rules (increasing times, no duplicates).
    private static func escalation(_ items: [JSONValue]) throws(GatewayError) -> [EscalationStep] {
        var steps: [EscalationStep] = []
        for (index, item) in items.enumerated() {
            let path = "escalation[\(index)]"
            guard case .object(let members) = item else { throw .invalid(path, "must be an object with after_minutes, to_user_ids and channels") }
            if let unknown = members.keys.sorted().first(where: { !["after_minutes", "to_user_ids", "channels"].contains($0) }) {
                throw .invalid("\(path).\(unknown)", "is not a field of an escalation step")
            }
            guard let minutes = members["after_minutes"], minutes != .null else { throw .invalid("\(path).after_minutes", "is required") }
            let afterMinutes = try RequestJSON.integer(minutes, field: "\(path).after_minutes", range: EscalationPlanner.afterMinutesRange)
            guard case .array(let users)? = members["to_user_ids"] else { throw .invalid("\(path).to_user_ids", "must be an array of user ids") }
            guard users.count <= EscalationPlanner.maximumUsersPerStep else {
                throw .invalid("\(path).to_user_ids", "at most \(EscalationPlanner.maximumUsersPerStep) users")
            }
            var ids: [Int] = []
            for (userIndex, user) in users.enumerated() {
                ids.append(try RequestJSON.integer(user, field: "\(path).to_user_ids[\(userIndex)]", range: InputRules.userIDs))
            }
            guard case .array(let names)? = members["channels"] else { throw .invalid("\(path).channels", "must be an array of channels") }
            var channels: [Channel] = []
            for (channelIndex, name) in names.enumerated() {
                guard case .string(let text) = name, let channel = Channel(rawValue: text), channel.isPersonal else {
                    throw .invalid("\(path).channels[\(channelIndex)]", "must be one of email, mattermost, frontend")
                }
                channels.append(channel)
            }
            steps.append(EscalationStep(afterMinutes: afterMinutes, toUserIDs: ids, channels: channels))
        }
        if let problem = EscalationPlanner.validate(steps) { throw .invalid(problem.field, problem.detail) }
        return steps
    }

    /// The rules that involve several fields.
    static func validate(_ draft: ReminderDraft) throws(GatewayError) {
        if draft.title.isEmpty { throw .invalid("title", "must not be empty") }
        let configText = (try? JSONValue.object(draft.triggerConfig).jsonText()) ?? ""
        guard configText.utf8.count <= InputRules.triggerConfigMaxBytes else {
            throw .invalid("trigger_config", "at most \(InputRules.triggerConfigMaxBytes) bytes of JSON")
        }
        // The database stores jsonb, which cannot hold NUL characters.
        if configText.contains("\\u0000") { throw .invalid("trigger_config", "must not contain NUL characters") }
        switch draft.triggerType {
        case .statusChange:
            guard case .string(let status)? = draft.triggerConfig["target_status"] else {
                throw .invalid("trigger_config.target_status", "a status_change reminder needs the status that fires it")
            }
            let trimmed = status.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= InputRules.targetStatusMaxLength, trimmed == status else {
                throw .invalid("trigger_config.target_status", "must be a status name of 1 to \(InputRules.targetStatusMaxLength) characters")
            }
        case .deadlineApproaching:
            if let hours = draft.triggerConfig["hours_before"], hours != .null {
                guard let value = hours.doubleValue, value.isFinite, value > 0, value <= InputRules.maxHoursBefore else {
                    throw .invalid("trigger_config.hours_before", "must be a number of hours above 0 and at most \(Int(InputRules.maxHoursBefore))")
                }
            }
        case .timeBased:
            if draft.scheduledAt == nil { throw .invalid("scheduled_at", "a time_based reminder needs scheduled_at") }
        }
    }
}
