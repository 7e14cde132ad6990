import Foundation
import HTTPTypes
import Hummingbird
import ReminderDomain
import ReminderStore

/// The caller's reminders as an iCalendar feed, and the feed token a calendar application
/// subscribes with (create or rotate, revoke).
struct CalendarController<Calendars: CalendarRepository> {
    let calendars: Calendars

    /// Most events in one feed.
    static var maximumEvents: Int { 2000 }
    /// The feed's path below `/api/v1`.
    static var feedPath: String { "/users/me/calendar.ics" }

    /// `GET /users/me/calendar.ics`, on a group authenticated by ``CalendarFeedAuthentication``.
    func registerFeed<M>(on routes: RouteTable<M>) {
        routes.add(.get, Self.feedPath) { _, context in
            let user = try context.requireUser()
            let items = try await calendars.calendarItems(userID: user, limit: Self.maximumEvents)
            let text = CalendarFeed(items: items).render(now: Date())
            return Response(
                status: .ok,
                headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }

    /// `POST`/`DELETE /users/me/calendar-feed`, behind bearer authentication only: a feed token
    /// cannot make or revoke feed tokens.
    func registerToken<M>(on routes: RouteTable<M>) {
        routes.add(.post, "/users/me/calendar-feed") { _, context in
            let user = try context.requireUser()
            let token = CalendarFeedToken.generate(userID: user)
            try await calendars.replaceCalendarFeedToken(userID: user, hash: CalendarFeedToken.hash(token))
            let path = "/api/v1\(Self.feedPath)?feed_token=\(token)"
            let body = JSONOutput.object([("feed_token", .string(token)), ("feed_path", .string(path))])
            return Representations.response(body, status: .created)
        }
        routes.add(.delete, "/users/me/calendar-feed") { _, context in
            let user = try context.requireUser()
            guard try await calendars.removeCalendarFeedToken(userID: user) else {
                throw GatewayError.notFound(nil, "you have no calendar feed token")
            }
            return Response(status: .noContent)
        }
    }
}
