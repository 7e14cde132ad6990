import Foundation
import Hummingbird
import ReminderStore

/// Reminder rules on a case: list, create, read, change, soft-delete, and the execution log.
///
/// Every route first asks the host's rule whether the caller may access the case (a case they
/// may not is a 404, like one that does not exist). Within the case, only the reminder's
/// creator, its recipients and administrators change or delete it (403 for others), and others
/// read it without its private fields.
struct ReminderController<Reminders: ReminderRepository> {
    let reminders: Reminders
    let emailDomains: EmailDomainPolicy
    let createdPerHour: Int
    /// Stopping or restarting a reminder changes its recipients' pending lists.
    let pendingCache: PendingCache

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/sag/{sag_id}/reminders") { _, context in
            let caller = try context.requireCaller()
            let sagID = try await accessibleCase(context, caller)
            let list = try await reminders.reminders(onCase: sagID)
            return Representations.response(.array(list.map { representation(of: $0, for: caller) }))
        }
        routes.add(.post, "/sag/{sag_id}/reminders") { request, context in
            let caller = try context.requireCaller()
            let sagID = try await accessibleCase(context, caller)
            let body = try await RequestJSON.read(request, context: context)
            let draft = try ReminderInput.create(from: body, creator: caller.userID)
            try emailDomains.requireRecipients(draft.recipientEmails, previously: [])
            let record = try await reminders.create(draft, sagID: sagID, createdBy: caller.userID, quota: createdPerHour)
            var response = Representations.response(Representations.reminder(record), status: .created)
            response.headers[.location] = "/api/v1/sag/reminders/\(record.id)"
            return response
        }
        routes.add(.get, "/sag/reminders/{reminder_id}") { _, context in
            let caller = try context.requireCaller()
            let id = try Parameters.id("reminder_id", context)
            let record = try await accessibleReminder(id, caller) { try await reminders.reminder(id: id) }
            return Representations.response(representation(of: record, for: caller))
        }
        routes.add(.patch, "/sag/reminders/{reminder_id}") { request, context in
            let caller = try context.requireCaller()
            let id = try Parameters.id("reminder_id", context)
            _ = try await accessibleReminder(id, caller) { try await reminders.reminder(id: id) }
            let body = try await RequestJSON.read(request, context: context)
            let now = Date()
            let emailDomains = self.emailDomains
            let updated = try await reminders.update(id: id) { stored in
                // Decided on the locked row: a change of recipients in between counts.
                guard ReminderAccess.isInvolved(caller, in: stored) else { throw ReminderAccess.refusal(id) }
                let draft = try ReminderInput.update(stored, with: body, now: now)
                try emailDomains.requireRecipients(draft.recipientEmails, previously: stored.draft.recipientEmails)
                return draft
            }
            guard let updated else { throw GatewayError.notFound("reminder_id", "no reminder \(id)") }
            pendingCache.invalidateAll()
            return Representations.response(Representations.reminder(updated))
        }
        routes.add(.delete, "/sag/reminders/{reminder_id}") { _, context in
            let caller = try context.requireCaller()
            let id = try Parameters.id("reminder_id", context)
            _ = try await accessibleReminder(id, caller) { try await reminders.reminderIncludingDeleted(id: id) }
            let deleted = try await reminders.softDelete(id: id) { stored in
                guard ReminderAccess.isInvolved(caller, in: stored) else { throw ReminderAccess.refusal(id) }
            }
            guard deleted else { throw GatewayError.notFound("reminder_id", "no reminder \(id)") }
            pendingCache.invalidateAll()
            return Response(status: .noContent)
        }
        routes.add(.get, "/sag/reminders/{reminder_id}/logs") { request, context in
            let caller = try context.requireCaller()
            let id = try Parameters.id("reminder_id", context)
            let limit = try Parameters.query("limit", request, range: 1...200) ?? 50
            let before = try Parameters.query("before", request, range: 1...Int(Int64.max))
            let record = try await accessibleReminder(id, caller) { try await reminders.reminderIncludingDeleted(id: id) }
            let redacted = !ReminderAccess.isInvolved(caller, in: record)
            let entries = try await reminders.executionLog(reminderID: id, before: before, limit: limit)
            let next: JSONOutput = entries.count == limit ? .int(entries.last!.id) : .null
            return Representations.response(.object([
                ("items", .array(entries.map { Representations.logEntry($0, redacted: redacted) })),
                ("next_before", next),
                ("redacted", .bool(redacted)),
            ]))
        }
    }

    private func representation(of record: ReminderRecord, for caller: Caller) -> JSONOutput {
        Representations.reminder(record, redacted: !ReminderAccess.isInvolved(caller, in: record))
    }

    /// The path's case, when the caller may access it; otherwise a 404.
    private func accessibleCase(_ context: GatewayRequestContext, _ caller: Caller) async throws -> Int {
        let sagID = try Parameters.id("sag_id", context)
        guard try await reminders.caseAccessible(sagID, by: caller.userID) else {
            throw GatewayError.notFound("sag_id", "no case \(sagID)")
        }
        return sagID
    }

    /// The reminder `load` finds, when the caller may access its case; otherwise a 404 that
    /// says no more than for a reminder that does not exist.
    private func accessibleReminder(
        _ id: Int, _ caller: Caller, _ load: () async throws -> ReminderRecord?
    ) async throws -> ReminderRecord {
        guard let record = try await load(), try await reminders.caseAccessible(record.sagID, by: caller.userID) else {
            throw GatewayError.notFound("reminder_id", "no reminder \(id)")
        }
        return record
    }
}
