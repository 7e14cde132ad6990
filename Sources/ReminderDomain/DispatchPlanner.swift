import Foundation
import ReminderContracts
import Timestamps

/// Decides, for one firing, who gets it on which channel and when: the pure
/// heart of the dispatcher. The store supplies the facts and writes the plan.
public struct DispatchPlanner: Sendable {
    /// The per-recipient limit (`REMINDERS_MAX_PER_USER_PER_HOUR`).
    public var rateLimit: RateLimitWindow

    /// Creates a planner.
    public init(rateLimit: RateLimitWindow) {
        self.rateLimit = rateLimit
    }

    /// Plans one firing.
    /// - Parameters:
    ///   - users: the profiles of the reminder's user recipients that exist.
    ///   - recentDispatches: per recipient, when they were last notified
    ///     (only the last window matters).
    ///   - makeID: new message ids (injected so tests are repeatable).
    public func plan(
        event: FiredEvent,
        reminder: ReminderSnapshot,
        users: [RecipientProfile],
        recentDispatches: [RecipientKey: [Date]],
        now: Date,
        makeID: () -> UUID = UUID.init
    ) -> DispatchPlan {
        var plan = DispatchPlan()
        if reminder.isDeleted {
            plan.logEntries.append(.init(recipient: nil, status: .skipped, reason: "reminder was deleted or deactivated before it was dispatched"))
            return plan
        }
        var recent = recentDispatches
        let profiles = Dictionary(users.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })

        for recipient in recipients(of: event, reminder: reminder) {
            let channels: Set<Channel>
            var profile: RecipientProfile?
            switch recipient {
            case .user(let id):
                guard let found = profiles[id] else {
                    plan.logEntries.append(.init(recipient: recipient, status: .skipped, reason: "no such user"))
                    continue
                }
                guard found.isActive else {
                    plan.logEntries.append(.init(recipient: recipient, status: .skipped, reason: "the user is deactivated"))
                    continue
                }
                if found.hasDismissed {
                    plan.logEntries.append(.init(recipient: recipient, status: .skipped, reason: "dismissed by the recipient"))
                    continue
                }
                if event.eventType != .snooze, let until = found.snoozedUntil, until > now {
                    plan.logEntries.append(.init(
                        recipient: recipient, status: .skipped, reason: "snoozed until \(Timestamp.format(until))"
                    ))
                    continue
                }
                profile = found
                channels = ChannelPreferences.channels(
                    user: found.preferences, reminder: flags(for: event, reminder: reminder),
                    overrideUserPreferences: reminder.overrideUserPreferences
                )
            case .email:
                channels = ChannelPreferences.channelsForBareAddress(reminder: reminder.channelFlags)
            }
            if channels.isEmpty {
                plan.logEntries.append(.init(recipient: recipient, status: .skipped, reason: "no channel chosen by preferences and reminder"))
                continue
            }

            let previous = recent[recipient] ?? []
            guard rateLimit.admits(previous: previous, at: now) else {
                plan.rateLimited.append(recipient)
                plan.logEntries.append(.init(
                    recipient: recipient, status: .rateLimited,
                    reason: "\(rateLimit.count(of: previous, at: now)) notifications in the last hour; the limit is \(rateLimit.limit)"
                ))
                continue
            }

            var sent: [Channel] = []
            for channel in channels.sorted() {
                var toAddress: String?
                if channel == .email {
                    switch recipient {
                    case .user: toAddress = profile?.emailOverride ?? profile?.email
                    case .email(let address): toAddress = address
                    }
                    guard let address = toAddress, !address.isEmpty else {
                        plan.logEntries.append(.init(recipient: recipient, channel: channel, status: .skipped, reason: "the user has no e-mail address"))
                        continue
                    }
                }
                // Without a username the post would land in the webhook's shared channel, for
                // everyone there to read: only when the reminder itself asks for Mattermost.
                if channel == .mattermost, case .user = recipient, flags(for: event, reminder: reminder).mattermost != true,
                   (profile?.mattermostUsername ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                    plan.logEntries.append(.init(
                        recipient: recipient, channel: channel, status: .skipped,
                        reason: "no Mattermost username, and the reminder does not ask for a post in the shared channel"
                    ))
                    continue
                }
                var notBefore: Date?
                if channel.respectsQuietHours, reminder.priority != .urgent, let quiet = profile?.quietHours, quiet.contains(now) {
                    let release = quiet.releaseTime(for: now)
                    notBefore = release
                    plan.logEntries.append(.init(
                        recipient: recipient, channel: channel, status: .deferred,
                        reason: "quiet hours; held until \(Timestamp.format(release))"
                    ))
                }
                sent.append(channel)
                plan.deliveries.append(Delivery(
                    eventID: makeID(),
                    deliveryID: "\(event.eventID.uuidString.lowercased()):\(recipient):\(channel.rawValue)",
                    firedEventID: event.eventID,
                    reminderID: reminder.id,
                    sagID: reminder.sagID,
                    caseTitle: reminder.caseTitle,
                    channel: channel,
                    recipientUserID: { if case .user(let id) = recipient { id } else { nil } }(),
                    recipientEmail: { if case .email(let address) = recipient { address } else { nil } }(),
                    toAddress: toAddress,
                    mattermostUsername: channel == .mattermost ? profile?.mattermostUsername : nil,
                    title: reminder.title,
                    message: reminder.message,
                    priority: reminder.priority,
                    notBefore: notBefore,
                    firedAt: event.occurredAt
                ))
            }
            if sent.isEmpty {
                continue
            }
            recent[recipient] = previous + [now]
            plan.logEntries.append(.init(
                recipient: recipient, status: .dispatched,
                reason: "channels: " + sent.map(\.rawValue).joined(separator: ", ")
            ))
        }
        return plan
    }

    /// The channel flags a firing asks for: an escalation step's channels
    /// (each listed one on, the others off), otherwise the reminder's own.
    func flags(for event: FiredEvent, reminder: ReminderSnapshot) -> ChannelFlags<Bool?> {
        guard let channels = event.channels else { return reminder.channelFlags }
        return ChannelFlags(email: channels.contains(.email), mattermost: channels.contains(.mattermost), frontend: channels.contains(.frontend))
    }

    /// The firing's recipients in a stable order: a snooze re-fire reaches
    /// only the user who snoozed; otherwise the reminder's users, then its
    /// bare addresses, each once.
    public func recipients(of event: FiredEvent, reminder: ReminderSnapshot) -> [RecipientKey] {
        if let user = event.recipientUserID { return [.user(user)] }
        if let address = event.recipientEmail { return [.email(address)] }
        var seen = Set<RecipientKey>()
        var keys: [RecipientKey] = []
        for id in reminder.recipientUserIDs where seen.insert(.user(id)).inserted {
            keys.append(.user(id))
        }
        for address in reminder.recipientEmails {
            let trimmed = address.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let key = RecipientKey.email(trimmed.lowercased())
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }
}
