import Foundation
import ReminderDomain
import ReminderStore
import Synchronization
import Timestamps

/// The gateway's store held in memory, with the rules of the PostgreSQL one that the gateway
/// relies on (live and deleted reminders, the host's case rule, recipients that must exist and
/// be active, the creation quota, per-recipient inbox state), on a clock the test moves.
final class InMemoryGatewayStore: GatewayStore {
    private struct InboxRow {
        var entry: InboxEntry
        var userID: Int
        var dismissed = false
        var acknowledged = false
    }

    private struct State {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        var nextID = 1
        /// Users and whether each is active.
        var users: [Int: Bool] = [:]
        var cases: [Int: CaseRecord] = [:]
        /// (user, case) pairs the host's rule refuses.
        var closedCases: Set<[Int]> = []
        var reminders: [Int: ReminderRecord] = [:]
        var logs: [ExecutionLogEntry] = []
        var logReminders: [Int: Int] = [:]
        var inbox: [InboxRow] = []
        var preferences: [Int: NotificationPreferences] = [:]
        /// Held-back notifications, with their user.
        var held: [(userID: Int, item: HeldNotification)] = []
        /// Each user's calendar feed token hash.
        var calendarTokens: [Int: String] = [:]
        /// Each reminder's calendar SEQUENCE (raised by `update`, as the database's trigger does).
        var calendarSequences: [Int: Int] = [:]
        /// Live webhook subscriptions with their sealed secrets.
        var webhooks: [UUID: (WebhookSubscription, String)] = [:]

        mutating func makeID() -> Int {
            defer { nextID += 1 }
            return nextID
        }

        func accessible(_ sagID: Int, by userID: Int) -> Bool {
            cases[sagID] != nil && !closedCases.contains([userID, sagID])
        }

        /// The first escalation user that is no user or a deactivated one, refused with its step and place.
        func requireActiveEscalation(_ steps: [EscalationStep]) throws(ReminderWriteRefusal) {
            for (step, definition) in steps.enumerated() {
                for (index, id) in definition.toUserIDs.enumerated() {
                    switch users[id] {
                    case nil: throw .unknownEscalationUser(step: step, index: index, userID: id)
                    case false?: throw .deactivatedEscalationUser(step: step, index: index, userID: id)
                    case true?: continue
                    }
                }
            }
        }

        /// The first of `ids` that is no user or a deactivated one, refused with its place in `all`.
        func requireActive(_ ids: [Int], in all: [Int]) throws(ReminderWriteRefusal) {
            for id in ids {
                let index = all.firstIndex(of: id) ?? 0
                switch users[id] {
                case nil: throw .unknownRecipient(index: index, userID: id)
                case false?: throw .deactivatedRecipient(index: index, userID: id)
                case true?: continue
                }
            }
        }
    }

    private let state = Mutex(State())

    // MARK: Arranging

    /// A new user.
    func addUser(active: Bool = true) -> Int {
        state.withLock { state in
            let id = state.makeID()
            state.users[id] = active
            return id
        }
    }

    /// Deactivates a user.
    func deactivate(_ userID: Int) {
        state.withLock { $0.users[userID] = false }
    }

    /// A new case.
    func addCase(title: String = "Case", status: String = "ny", deadline: Date? = nil) -> Int {
        state.withLock { state in
            let id = state.makeID()
            state.cases[id] = CaseRecord(id: id, title: title, status: status, deadline: deadline)
            return id
        }
    }

    /// The host's rule refuses `sagID` to `userID` from now on.
    func closeCase(_ sagID: Int, to userID: Int) {
        state.withLock { _ = $0.closedCases.insert([userID, sagID]) }
    }

    /// Moves the store's clock on.
    func advanceClock(by seconds: TimeInterval) {
        state.withLock { $0.now += seconds }
    }

    /// A log row of `reminderID`, as a delivery worker writes it.
    func addLog(
        reminderID: Int, userID: Int?, recipientEmail: String?, status: String, reason: String?, errorMessage: String?, channel: String? = "email"
    ) {
        state.withLock { state in
            let id = state.makeID()
            state.logs.append(ExecutionLogEntry(
                id: id, userID: userID, recipientEmail: recipientEmail, channel: channel, status: status, reason: reason,
                errorMessage: errorMessage, createdAt: state.now
            ))
            state.logReminders[id] = reminderID
        }
    }

    /// A notification of `reminderID` the rate limit held back from `userID`, `ageSeconds` ago.
    func addHeld(reminderID: Int, userID: Int, ageSeconds: TimeInterval = 60) {
        state.withLock { state in
            guard let record = state.reminders[reminderID] else { return }
            let id = state.makeID()
            state.held.append((userID, HeldNotification(
                id: id, eventID: UUID().uuidString.lowercased(), reminderID: reminderID, sagID: record.sagID,
                title: record.draft.title, message: record.draft.message, priority: record.draft.priority.rawValue,
                caseTitle: state.cases[record.sagID]?.title, heldAt: state.now - ageSeconds,
                reason: "5 notifications in the last hour; the limit is 5"
            )))
        }
    }

    /// Every reminder stored, deleted or not, by id.
    var storedReminders: [ReminderRecord] {
        state.withLock { $0.reminders.values.sorted { $0.id < $1.id } }
    }

    // MARK: UserDirectory

    func status(of userID: Int) async throws -> UserStatus {
        state.withLock { state in
            switch state.users[userID] {
            case nil: .unknown
            case false?: .inactive
            case true?: .active
            }
        }
    }

    // MARK: ReminderRepository and CaseRepository

    func caseAccessible(_ sagID: Int, by userID: Int) async throws -> Bool {
        state.withLock { $0.accessible(sagID, by: userID) }
    }

    func reminders(onCase sagID: Int) async throws -> [ReminderRecord] {
        state.withLock { state in
            state.reminders.values.filter { $0.sagID == sagID && $0.deletedAt == nil }.sorted { $0.id < $1.id }
        }
    }

    func reminder(id: Int) async throws -> ReminderRecord? {
        state.withLock { state in state.reminders[id].flatMap { $0.deletedAt == nil ? $0 : nil } }
    }

    func reminderIncludingDeleted(id: Int) async throws -> ReminderRecord? {
        state.withLock { $0.reminders[id] }
    }

    func create(_ draft: ReminderDraft, sagID: Int, createdBy: Int, quota: Int) async throws -> ReminderRecord {
        try state.withLock { state throws(ReminderWriteRefusal) in
            let hourAgo = state.now.addingTimeInterval(-3600)
            let recent = state.reminders.values.filter { $0.createdByUserID == createdBy && $0.createdAt > hourAgo }
                .map(\.createdAt).sorted(by: >).prefix(quota)
            if recent.count >= quota {
                let freesIn = recent.min().map { Int(($0.addingTimeInterval(3600).timeIntervalSince(state.now)).rounded(.up)) } ?? 3600
                throw .creationQuotaReached(made: recent.count, quota: quota, retryAfterSeconds: freesIn)
            }
            try state.requireActive(draft.recipientUserIDs, in: draft.recipientUserIDs)
            try state.requireActiveEscalation(draft.escalation)
            let record = ReminderRecord(
                id: state.makeID(), sagID: sagID, draft: draft, createdByUserID: createdBy, createdAt: state.now, updatedAt: state.now
            )
            state.reminders[record.id] = record
            return record
        }
    }

    func update(id: Int, _ change: @Sendable (ReminderRecord) throws -> ReminderDraft) async throws -> ReminderRecord? {
        try state.withLock { state in
            guard var record = state.reminders[id], record.deletedAt == nil else { return nil }
            let draft = try change(record)
            try state.requireActive(draft.recipientUserIDs.filter { !record.draft.recipientUserIDs.contains($0) }, in: draft.recipientUserIDs)
            if draft.escalation != record.draft.escalation { try state.requireActiveEscalation(draft.escalation) }
            if draft != record.draft { state.calendarSequences[id, default: 0] += 1 }
            record.draft = draft
            record.updatedAt = state.now
            state.reminders[id] = record
            return record
        }
    }

    func softDelete(id: Int, authorize: @Sendable (ReminderRecord) throws -> Void) async throws -> Bool {
        try state.withLock { state in
            guard var record = state.reminders[id] else { return false }
            try authorize(record)
            if record.deletedAt == nil {
                record.deletedAt = state.now
                record.updatedAt = state.now
            }
            record.draft.isActive = false
            state.reminders[id] = record
            return true
        }
    }

    func executionLog(reminderID: Int, before: Int?, limit: Int) async throws -> [ExecutionLogEntry] {
        state.withLock { state in
            Array(state.logs.filter { state.logReminders[$0.id] == reminderID && $0.id < (before ?? .max) }.sorted { $0.id > $1.id }.prefix(limit))
        }
    }

    func caseRecord(id: Int) async throws -> CaseRecord? {
        state.withLock { $0.cases[id] }
    }

    func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord? {
        state.withLock { state in
            state.cases[id]?.status = status
            return state.cases[id]
        }
    }

    // MARK: InboxRepository

    func caseOfReminder(_ reminderID: Int, forRecipient userID: Int) async throws -> Int? {
        state.withLock { state in
            guard let record = state.reminders[reminderID], record.deletedAt == nil,
                  record.draft.recipientUserIDs.contains(userID)
                    || state.inbox.contains(where: { $0.entry.reminderID == reminderID && $0.userID == userID }),
                  state.accessible(record.sagID, by: userID) else { return nil }
            return record.sagID
        }
    }

    func snooze(reminderID: Int, sagID: Int, userID: Int, minutes: Int) async throws -> InteractionResult {
        state.withLock { state in
            let until = state.now.addingTimeInterval(Double(minutes) * 60)
            for index in state.inbox.indices where state.inbox[index].entry.reminderID == reminderID && state.inbox[index].userID == userID
                && !state.inbox[index].dismissed && !state.inbox[index].acknowledged {
                state.inbox[index].entry.snoozedUntil = until
            }
            return InteractionResult(reminderID: reminderID, status: "snoozed", at: state.now, snoozedUntil: until)
        }
    }

    func dismiss(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        state.withLock { state in
            for index in state.inbox.indices where state.inbox[index].entry.reminderID == reminderID && state.inbox[index].userID == userID {
                state.inbox[index].dismissed = true
            }
            return InteractionResult(reminderID: reminderID, status: "dismissed", at: state.now)
        }
    }

    func acknowledge(reminderID: Int, sagID: Int, userID: Int) async throws -> InteractionResult {
        state.withLock { state in
            for index in state.inbox.indices where state.inbox[index].entry.reminderID == reminderID && state.inbox[index].userID == userID
                && !state.inbox[index].dismissed {
                state.inbox[index].acknowledged = true
            }
            return InteractionResult(reminderID: reminderID, status: "acknowledged", at: state.now)
        }
    }

    func pending(userID: Int, limit: Int) async throws -> PendingInbox {
        state.withLock { state in
            let open = state.inbox.filter { $0.userID == userID && !$0.dismissed && !$0.acknowledged }
            let newest = Dictionary(grouping: open, by: \.entry.reminderID).compactMap { $0.value.max { $0.entry.id < $1.entry.id } }
            let entries = newest.map { row in Self.entry(row, now: state.now) }.filter { entry in
                guard let record = state.reminders[entry.reminderID] else { return false }
                return entry.isPending && record.deletedAt == nil && record.draft.isActive
            }
            let release = open.compactMap(\.entry.snoozedUntil).filter { $0 > state.now }.min()
            return PendingInbox(entries: Array(entries.sorted { $0.id > $1.id }.prefix(limit)), nextRelease: release)
        }
    }

    func entries(userID: Int, after cursor: Int, limit: Int) async throws -> [InboxEntry] {
        state.withLock { state in
            Array(state.inbox.filter { $0.userID == userID && $0.entry.id > cursor }.sorted { $0.entry.id < $1.entry.id }
                .prefix(limit).map { Self.entry($0, now: state.now) })
        }
    }

    func held(userID: Int, limit: Int) async throws -> HeldList {
        state.withLock { state in
            let items = state.held.filter { row in
                guard row.userID == userID, row.item.heldAt > state.now - 7 * 86_400,
                      let record = state.reminders[row.item.reminderID], record.deletedAt == nil, record.draft.isActive else { return false }
                return state.accessible(row.item.sagID, by: userID)
            }.map(\.item).sorted { $0.heldAt > $1.heldAt }
            return HeldList(count: items.count, items: Array(items.prefix(limit)))
        }
    }

    func latestEntryID(userID: Int) async throws -> Int {
        state.withLock { state in state.inbox.filter { $0.userID == userID }.map(\.entry.id).max() ?? 0 }
    }

    private static func entry(_ row: InboxRow, now: Date) -> InboxEntry {
        var entry = row.entry
        entry.isPending = !row.dismissed && !row.acknowledged && (entry.snoozedUntil.map { $0 <= now } ?? true)
        return entry
    }

    // MARK: PreferencesRepository

    func preferences(userID: Int) async throws -> NotificationPreferences {
        state.withLock { $0.preferences[userID] ?? NotificationPreferences() }
    }

    func save(_ preferences: NotificationPreferences, userID: Int) async throws -> NotificationPreferences {
        state.withLock { state in
            state.preferences[userID] = preferences
            return preferences
        }
    }

    // MARK: CalendarRepository

    func calendarItems(userID: Int, limit: Int) async throws -> [CalendarFeedItem] {
        state.withLock { state in
            let dismissed = Set(state.inbox.filter { $0.userID == userID && $0.dismissed }.map(\.entry.reminderID))
            let snoozed = Set(state.inbox.filter { $0.userID == userID && ($0.entry.snoozedUntil.map { $0 > state.now } ?? false) }
                .map(\.entry.reminderID))
            let items: [CalendarFeedItem] = state.reminders.values.sorted { $0.id < $1.id }.compactMap { record in
                guard record.deletedAt == nil, record.draft.isActive, record.draft.recipientUserIDs.contains(userID),
                      state.accessible(record.sagID, by: userID), !dismissed.contains(record.id), !snoozed.contains(record.id),
                      let sag = state.cases[record.sagID] else { return nil }
                let timing: CalendarFeedItem.Timing
                switch record.draft.triggerType {
                case .timeBased:
                    guard let anchor = record.draft.scheduledAt else { return nil }
                    timing = .scheduled(anchor: anchor, recurrence: record.draft.recurrenceType, timeZone: record.draft.timezone)
                case .deadlineApproaching:
                    guard let deadline = sag.deadline else { return nil }
                    let hours: Double = switch record.draft.triggerConfig["hours_before"] {
                    case .number(let value)?: value
                    case .integer(let value)?: Double(value)
                    default: 24
                    }
                    timing = .deadline(deadline, hoursBefore: hours)
                case .statusChange:
                    return nil
                }
                return CalendarFeedItem(
                    reminderID: record.id, sagID: record.sagID, title: record.draft.title, message: record.draft.message,
                    caseTitle: sag.title, priority: record.draft.priority, timing: timing,
                    sequence: state.calendarSequences[record.id] ?? 0, updatedAt: record.updatedAt
                )
            }
            return Array(items.prefix(limit))
        }
    }

    func calendarFeedTokenHash(userID: Int) async throws -> String? {
        state.withLock { $0.calendarTokens[userID] }
    }

    func replaceCalendarFeedToken(userID: Int, hash: String) async throws {
        state.withLock { $0.calendarTokens[userID] = hash }
    }

    func removeCalendarFeedToken(userID: Int) async throws -> Bool {
        state.withLock { $0.calendarTokens.removeValue(forKey: userID) != nil }
    }

    // MARK: StatisticsRepository

    /// The outcome rows in `filter` that `include` accepts, newest first.
    private func outcomeRows(_ filter: StatisticsFilter, _ include: (State, ExecutionLogEntry) -> Bool) -> [(ExecutionLogEntry, DeliveryOutcome)] {
        state.withLock { state in
            state.logs.compactMap { entry -> (ExecutionLogEntry, DeliveryOutcome)? in
                guard let outcome = DeliveryOutcome(rawValue: entry.status), entry.createdAt >= filter.from, entry.createdAt < filter.to,
                      filter.outcome.map({ $0 == outcome }) ?? true, filter.channel.map({ $0 == entry.channel }) ?? true,
                      include(state, entry) else { return nil }
                return (entry, outcome)
            }.sorted { ($0.0.createdAt, $0.0.id) > ($1.0.createdAt, $1.0.id) }
        }
    }

    private func statistics(_ rows: [(ExecutionLogEntry, DeliveryOutcome)]) -> DeliveryStatistics {
        let day = { (date: Date) in String(Timestamp.format(date).prefix(10)) }
        return DeliveryStatistics(
            counts: rows.map { ($0.0.channel, $0.1, 1) }, daily: rows.map { (day($0.0.createdAt), $0.1, 1) },
            latency: LatencySummary(milliseconds: []), acknowledgement: AcknowledgementSummary(notified: 0, secondsToAcknowledge: [])
        )
    }

    func caseStatistics(sagID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics {
        statistics(outcomeRows(filter) { state, entry in
            state.logReminders[entry.id].flatMap { state.reminders[$0]?.sagID } == sagID
        })
    }

    func userStatistics(userID: Int, filter: StatisticsFilter) async throws -> DeliveryStatistics {
        statistics(outcomeRows(filter) { _, entry in entry.userID == userID })
    }

    func history(userID: Int, filter: StatisticsFilter, before: Int?, limit: Int) async throws -> [HistoryEntry] {
        let rows = outcomeRows(filter) { _, entry in entry.userID == userID }
        let start = before.flatMap { cursor in rows.firstIndex { $0.0.id == cursor }.map { $0 + 1 } } ?? 0
        return state.withLock { state in
            rows.dropFirst(start).prefix(limit).map { entry, outcome in
                let reminderID = state.logReminders[entry.id]
                return HistoryEntry(
                    id: entry.id, reminderID: reminderID, sagID: reminderID.flatMap { state.reminders[$0]?.sagID },
                    title: reminderID.flatMap { state.reminders[$0]?.draft.title }, eventID: nil, channel: entry.channel, outcome: outcome,
                    reason: entry.reason, createdAt: entry.createdAt
                )
            }
        }
    }

    // MARK: HealthProbe

    func checkDatabase() async throws {}
}

// MARK: Webhook subscriptions

extension InMemoryGatewayStore: WebhookRepository {
    func createWebhook(
        id: UUID, sagID: Int?, url: String, sealedSecret: String, description: String?, createdBy: Int, limit: Int
    ) async throws -> WebhookSubscription? {
        state.withLock { state in
            guard state.webhooks.values.filter({ $0.0.sagID == sagID }).count < limit else { return nil }
            let subscription = WebhookSubscription(id: id, sagID: sagID, url: url, description: description, createdBy: createdBy, createdAt: state.now)
            state.webhooks[id] = (subscription, sealedSecret)
            return subscription
        }
    }

    func webhooks(visibleTo userID: Int, isAdmin: Bool, sagID: Int?) async throws -> [WebhookSubscription] {
        state.withLock { state in
            state.webhooks.values.map(\.0).filter { subscription in
                if let sagID, subscription.sagID != sagID { return false }
                guard let sag = subscription.sagID else { return isAdmin }
                return state.accessible(sag, by: userID)
            }.sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
        }
    }

    func webhook(_ id: UUID) async throws -> WebhookSubscription? {
        state.withLock { $0.webhooks[id]?.0 }
    }

    func deleteWebhook(_ id: UUID) async throws -> Bool {
        state.withLock { $0.webhooks.removeValue(forKey: id) != nil }
    }

    /// The sealed secret stored for `id` (what the worker would open).
    func sealedSecret(of id: UUID) -> String? {
        state.withLock { $0.webhooks[id]?.1 }
    }
}
