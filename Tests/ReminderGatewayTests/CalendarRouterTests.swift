import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReminderStore
import Testing
@testable import ReminderGateway

/// The calendar feed and its tokens, through the router on the in-memory store.
@Suite("Gateway calendar feed on an in-memory store", .timeLimit(.minutes(1)))
struct CalendarRouterTests {
    static func timeBased(_ recipients: [Int], title: String = "Weekly check", recurrence: String = "weekly") -> [String: Any] {
        [
            "title": title, "trigger_type": "time_based", "scheduled_at": "2027-01-04T09:00:00", "timezone": "Europe/Copenhagen",
            "recurrence_type": recurrence, "recipient_user_ids": recipients,
        ]
    }

    /// The unfolded lines of a feed.
    static func lines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
    }

    @Test("with a bearer token: text/calendar holding the caller's time-based reminders, not others' nor status-change ones")
    func bearerFeed() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser(), bob = store.addUser()
        let sag = store.addCase(title: "Server migration")
        try await GatewayRouterTests.withGateway(store) { client in
            let token = GatewayRouterTests.token(alice)
            let mine = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: Self.timeBased([alice]))
            #expect(mine.status == .created, "\(mine.text)")
            let id = try #require(mine.object["id"] as? Int)
            _ = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: Self.timeBased([bob], title: "Bob's"))
            _ = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: GatewayRouterTests.statusChange([alice]))

            let feed = try await client.send(.get, "/api/v1/users/me/calendar.ics", token: token)
            #expect(feed.status == .ok)
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            let lines = Self.lines(feed.text)
            #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 1)
            #expect(lines.contains("UID:reminder-\(id)@case-reminders"))
            #expect(lines.contains("RRULE:FREQ=WEEKLY"))
            #expect(lines.contains("DTSTART;TZID=Europe/Copenhagen:20270104T090000"))
            #expect(!feed.text.contains("Bob's"))
        }
    }

    @Test("SEQUENCE rises when the reminder changes; the UID stays")
    func sequence() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await GatewayRouterTests.withGateway(store) { client in
            let token = GatewayRouterTests.token(alice)
            let id = try #require(try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: Self.timeBased([alice]))
                .object["id"] as? Int)
            #expect(Self.lines(try await client.send(.get, "/api/v1/users/me/calendar.ics", token: token).text).contains("SEQUENCE:0"))
            let patched = try await client.send(.patch, "/api/v1/sag/reminders/\(id)", token: token, json: ["title": "Renamed"])
            #expect(patched.status == .ok, "\(patched.text)")
            let lines = Self.lines(try await client.send(.get, "/api/v1/users/me/calendar.ics", token: token).text)
            #expect(lines.contains("SEQUENCE:1"))
            #expect(lines.contains("UID:reminder-\(id)@case-reminders"))
            #expect(lines.contains("SUMMARY:Renamed"))
        }
    }

    @Test("a feed token reads the feed without a header; rotating it retires the old one; deleting it revokes the feed")
    func feedToken() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        let sag = store.addCase()
        try await GatewayRouterTests.withGateway(store) { client in
            let token = GatewayRouterTests.token(alice)
            _ = try await client.send(.post, "/api/v1/sag/\(sag)/reminders", token: token, json: Self.timeBased([alice]))
            #expect(try await client.send(.get, "/api/v1/users/me/calendar.ics").status == .unauthorized)

            let created = try await client.send(.post, "/api/v1/users/me/calendar-feed", token: token)
            #expect(created.status == .created, "\(created.text)")
            let first = try #require(created.object["feed_token"] as? String)
            #expect(first.hasPrefix("\(alice)."))
            let path = try #require(created.object["feed_path"] as? String)
            #expect(path == "/api/v1/users/me/calendar.ics?feed_token=\(first)")
            // Only the hash is stored.
            let stored = try #require(try await store.calendarFeedTokenHash(userID: alice))
            #expect(stored != first && stored.count == 64 && !stored.contains(first))

            let viaToken = try await client.send(.get, path)
            #expect(viaToken.status == .ok)
            #expect(Self.lines(viaToken.text).filter { $0 == "BEGIN:VEVENT" }.count == 1)

            let rotated = try #require(try await client.send(.post, "/api/v1/users/me/calendar-feed", token: token).object["feed_token"] as? String)
            #expect(rotated != first)
            let old = try await client.send(.get, path)
            #expect(old.status == .unauthorized)
            #expect(old.object["field"] as? String == "feed_token")
            #expect(try await client.send(.get, "/api/v1/users/me/calendar.ics?feed_token=\(rotated)").status == .ok)

            #expect(try await client.send(.delete, "/api/v1/users/me/calendar-feed", token: token).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/users/me/calendar.ics?feed_token=\(rotated)").status == .unauthorized)
            #expect(try await client.send(.delete, "/api/v1/users/me/calendar-feed", token: token).status == .notFound)
        }
    }

    @Test("a feed token cannot manage feed tokens, and a malformed or foreign one is refused", arguments: [
        "", "x", "1.abc", "not-a-number.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])
    func refused(_ bad: String) async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        try await GatewayRouterTests.withGateway(store) { client in
            let response = try await client.send(.get, "/api/v1/users/me/calendar.ics?feed_token=\(bad)")
            #expect(response.status == .unauthorized)
            #expect(response.object["field"] as? String == "feed_token")
            let token = try #require(try await client.send(.post, "/api/v1/users/me/calendar-feed", token: GatewayRouterTests.token(alice))
                .object["feed_token"] as? String)
            #expect(try await client.send(.post, "/api/v1/users/me/calendar-feed?feed_token=\(token)").status == .unauthorized)
        }
    }

    @Test("another user's id with this user's secret is refused")
    func swappedUser() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser(), bob = store.addUser()
        try await GatewayRouterTests.withGateway(store) { client in
            let token = try #require(try await client.send(.post, "/api/v1/users/me/calendar-feed", token: GatewayRouterTests.token(alice))
                .object["feed_token"] as? String)
            _ = try await client.send(.post, "/api/v1/users/me/calendar-feed", token: GatewayRouterTests.token(bob))
            let secret = token.split(separator: ".")[1]
            #expect(try await client.send(.get, "/api/v1/users/me/calendar.ics?feed_token=\(bob).\(secret)").status == .unauthorized)
        }
    }

    @Test("a deactivated user's feed token is 403")
    func deactivated() async throws {
        let store = InMemoryGatewayStore()
        let alice = store.addUser()
        try await GatewayRouterTests.withGateway(store) { client in
            let token = try #require(try await client.send(.post, "/api/v1/users/me/calendar-feed", token: GatewayRouterTests.token(alice))
                .object["feed_token"] as? String)
            store.deactivate(alice)
            #expect(try await client.send(.get, "/api/v1/users/me/calendar.ics?feed_token=\(token)").status == .forbidden)
        }
    }

    @Test("feed token helpers: format, hashing and constant-time comparison")
    func tokenHelpers() {
        let token = CalendarFeedToken.generate(userID: 12)
        #expect(CalendarFeedToken.userID(of: token) == 12)
        #expect(CalendarFeedToken.generate(userID: 12) != token)
        let hash = CalendarFeedToken.hash(token)
        #expect(hash.count == 64 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(CalendarFeedToken.matches(token, storedHash: hash))
        #expect(!CalendarFeedToken.matches(token + "x", storedHash: hash))
        #expect(!CalendarFeedToken.matches(token, storedHash: ""))
        #expect(!CalendarFeedToken.matches(token, storedHash: String(hash.dropLast()) + (hash.last == "0" ? "1" : "0")))
        // SHA-256 of "abc", a published test vector.
        #expect(CalendarFeedToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
