import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import ReminderGateway
import Testing

/// The event stream runs for the configured lifetime and then closes, so a test
/// reads the whole body and looks at what was pushed meanwhile.
@Suite("Gateway event stream", .timeLimit(.minutes(1)))
struct GatewayStreamTests {
    @Test("a new inbox entry is pushed at once as a reminder event; heartbeats while idle; only the caller's entries")
    func pushesNewEntries() async throws {
        // Long enough that a loaded machine still pushes the entry before the stream ends
        // (2 s once was not: the push came after the close).
        let lifetime = Duration.seconds(8)
        try await GatewayHarness.with(streamLifetime: lifetime) { gateway, client in
            let alice = try await gateway.user(), bob = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let reminder = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice, bob])
            let before = try await gateway.inboxEntry(reminder: reminder, sag: sag, user: alice, title: "before connecting")

            async let stream = client.call(.get, "/api/v1/reminders/stream/me?token=\(gateway.token(alice))")
            #expect(try await eventually(timeout: .seconds(20)) { gateway.notifier.subscriberCount == 1 })
            let pushedAt = ContinuousClock.now
            let fresh = try await gateway.inboxEntry(reminder: reminder, sag: sag, user: alice, title: "fresh one")
            try await gateway.inboxEntry(reminder: reminder, sag: sag, user: bob, title: "for bob")
            let response = try await stream
            #expect(response.status == .ok)
            #expect(response.contentType == "text/event-stream")
            #expect(response.text.contains("id: \(fresh)\nevent: reminder\ndata: {"))
            #expect(response.text.contains("\"title\":\"fresh one\""))
            #expect(!response.text.contains("before connecting"), "a fresh connection starts at the newest entry (\(before))")
            #expect(!response.text.contains("for bob"))
            #expect(response.text.contains(": heartbeat"))
            #expect(ContinuousClock.now - pushedAt < lifetime + .seconds(5), "the stream ends after its lifetime")
            #expect(gateway.notifier.subscriberCount == 0)
        }
    }

    @Test("Last-Event-ID resumes after the given entry, skipping dismissed ones")
    func resumesFromLastEventID() async throws {
        try await GatewayHarness.with(streamLifetime: .milliseconds(500)) { gateway, client in
            let alice = try await gateway.user()
            let sag = try await Fixtures.caseRow(gateway.postgres)
            let first = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice])
            let second = try await createReminder(client, token: gateway.token(alice), sag: sag, recipients: [alice])
            let seen = try await gateway.inboxEntry(reminder: first, sag: sag, user: alice, title: "already seen")
            let missed = try await gateway.inboxEntry(reminder: first, sag: sag, user: alice, title: "missed one")
            try await gateway.inboxEntry(reminder: second, sag: sag, user: alice, title: "dismissed meanwhile")
            _ = try await client.call(.post, "/api/v1/sag/reminders/\(second)/dismiss", token: gateway.token(alice))

            let response = try await client.call(
                .get, "/api/v1/reminders/stream/me", token: gateway.token(alice), headers: [HTTPField.Name("Last-Event-ID")!: String(seen)]
            )
            #expect(response.text.contains("id: \(missed)\n"))
            #expect(!response.text.contains("already seen"))
            #expect(!response.text.contains("dismissed meanwhile"))
            let bad = try await client.call(.get, "/api/v1/reminders/stream/me", token: gateway.token(alice), headers: [HTTPField.Name("Last-Event-ID")!: "abc"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.field == "Last-Event-ID")
            #expect(try await client.call(.get, "/api/v1/reminders/stream/me?token=forged").status == .unauthorized)
        }
    }
}
