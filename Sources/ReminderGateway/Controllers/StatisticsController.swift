import Foundation
import Hummingbird
import ReminderStore

/// `GET /sag/{sag_id}/reminders/stats` (anyone the host's rule lets into the case) and
/// `GET /users/me/notifications/history` (the caller's own rows only).
struct StatisticsController<Store: StatisticsRepository & ReminderRepository> {
    let store: Store

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/sag/{sag_id}/reminders/stats") { request, context in
            let user = try context.requireUser()
            let sag = try Parameters.id("sag_id", context)
            guard try await store.caseAccessible(sag, by: user) else { throw GatewayError.notFound("sag_id", "no such case") }
            let filter = try StatisticsQuery.filter(request)
            let statistics = try await store.caseStatistics(sagID: sag, filter: filter)
            return Representations.response(.object([("sag_id", .int(sag))] + Representations.statisticsMembers(statistics, filter: filter)))
        }
        routes.add(.get, "/users/me/notifications/history") { request, context in
            let user = try context.requireUser()
            let filter = try StatisticsQuery.filter(request)
            let limit = try Parameters.query("limit", request, range: 1...200) ?? 50
            let before = try Parameters.query("before", request, range: 1...Int(Int64.max))
            let entries = try await store.history(userID: user, filter: filter, before: before, limit: limit)
            let next: JSONOutput = entries.count == limit ? .int(entries.last!.id) : .null
            let statistics = try await store.userStatistics(userID: user, filter: filter)
            return Representations.response(.object([
                ("items", .array(entries.map(Representations.historyEntry))),
                ("next_before", next),
                ("stats", Representations.statistics(statistics, filter: filter)),
            ]))
        }
    }
}
