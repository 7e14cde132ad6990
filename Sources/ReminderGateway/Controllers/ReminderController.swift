import Foundation
import Hummingbird

/// Reminder rules on a case: list, create, read, change, soft-delete, and the execution log.
struct ReminderController {
    let reminders: any ReminderRepository

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/sag/{sag_id}/reminders") { _, context in
            let sagID = try Parameters.id("sag_id", context)
            guard try await reminders.caseExists(sagID) else { throw GatewayError.notFound("sag_id", "no case \(sagID)") }
            let list = try await reminders.reminders(onCase: sagID)
            return Representations.response(.array(list.map(Representations.reminder)))
        }
        routes.add(.post, "/sag/{sag_id}/reminders") { request, context in
            let user = try context.requireUser()
            let sagID = try Parameters.id("sag_id", context)
            let body = try await RequestJSON.read(request, context: context)
            guard try await reminders.caseExists(sagID) else { throw GatewayError.notFound("sag_id", "no case \(sagID)") }
            let draft = try ReminderInput.create(from: body, creator: user)
            let record = try await reminders.create(draft, sagID: sagID, createdBy: user)
            var response = Representations.response(Representations.reminder(record), status: .created)
            response.headers[.location] = "/api/v1/sag/reminders/\(record.id)"
            return response
        }
        routes.add(.get, "/sag/reminders/{reminder_id}") { _, context in
            let id = try Parameters.id("reminder_id", context)
            guard let record = try await reminders.reminder(id: id) else { throw GatewayError.notFound("reminder_id", "no reminder \(id)") }
            return Representations.response(Representations.reminder(record))
        }
        routes.add(.patch, "/sag/reminders/{reminder_id}") { request, context in
            let id = try Parameters.id("reminder_id", context)
            let body = try await RequestJSON.read(request, context: context)
            let now = Date()
            guard let record = try await reminders.update(id: id, { try ReminderInput.update($0, with: body, now: now) }) else {
                throw GatewayError.notFound("reminder_id", "no reminder \(id)")
            }
            return Representations.response(Representations.reminder(record))
        }
        routes.add(.delete, "/sag/reminders/{reminder_id}") { _, context in
            let id = try Parameters.id("reminder_id", context)
            guard try await reminders.softDelete(id: id) else { throw GatewayError.notFound("reminder_id", "no reminder \(id)") }
            return Response(status: .noContent)
        }
        routes.add(.get, "/sag/reminders/{reminder_id}/logs") { request, context in
            let id = try Parameters.id("reminder_id", context)
            let limit = try Parameters.query("limit", request, range: 1...200) ?? 50
            let before = try Parameters.query("before", request, range: 1...Int(Int64.max))
            guard try await reminders.reminderExists(id: id) else { throw GatewayError.notFound("reminder_id", "no reminder \(id)") }
            let entries = try await reminders.executionLog(reminderID: id, before: before, limit: limit)
            let next: JSONOutput = entries.count == limit ? .int(entries.last!.id) : .null
            return Representations.response(.object([
                ("items", .array(entries.map(Representations.logEntry))),
                ("next_before", next),
            ]))
        }
    }
}
