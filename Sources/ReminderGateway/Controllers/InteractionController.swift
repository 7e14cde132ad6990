import Hummingbird
import ReminderStore

/// Snooze, dismiss and acknowledge: each acts for the caller alone, and only on reminders the
/// caller is a recipient of (anyone else's is a 404, so ids of others' reminders reveal nothing).
struct InteractionController<Inbox: InboxRepository> {
    let inbox: Inbox
    /// Dropped for the caller after each change, before the answer: their next poll sees it.
    let pendingCache: PendingCache

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.post, "/sag/reminders/{reminder_id}/snooze") { request, context in
            let (user, id, sagID) = try await recipient(context)
            let body = try await RequestJSON.read(request, context: context)
            try body.rejectUnknown(allowed: ["minutes"])
            guard let minutes = try body.int("minutes", range: InputRules.snoozeMinutes) else {
                throw GatewayError.invalid("minutes", "is required (1 to \(InputRules.snoozeMinutes.upperBound))")
            }
            let result = try await inbox.snooze(reminderID: id, sagID: sagID, userID: user, minutes: minutes)
            pendingCache.invalidate(user)
            return Representations.response(Representations.interaction(result))
        }
        routes.add(.post, "/sag/reminders/{reminder_id}/dismiss") { request, context in
            let (user, id, sagID) = try await recipient(context)
            try await RequestJSON.read(request, context: context, allowEmpty: true).rejectUnknown(allowed: [])
            let result = try await inbox.dismiss(reminderID: id, sagID: sagID, userID: user)
            pendingCache.invalidate(user)
            return Representations.response(Representations.interaction(result))
        }
        routes.add(.post, "/sag/reminders/{reminder_id}/acknowledge") { request, context in
            let (user, id, sagID) = try await recipient(context)
            try await RequestJSON.read(request, context: context, allowEmpty: true).rejectUnknown(allowed: [])
            let result = try await inbox.acknowledge(reminderID: id, sagID: sagID, userID: user)
            pendingCache.invalidate(user)
            return Representations.response(Representations.interaction(result))
        }
    }

    private func recipient(_ context: GatewayRequestContext) async throws -> (user: Int, reminder: Int, sag: Int) {
        let user = try context.requireUser()
        let id = try Parameters.id("reminder_id", context)
        guard let sagID = try await inbox.caseOfReminder(id, forRecipient: user) else {
            throw GatewayError.notFound("reminder_id", "no reminder \(id) of yours")
        }
        return (user, id, sagID)
    }
}
