import Foundation
import ReminderContracts
import ReminderDomain
import ReminderStore
import Testing
@testable import ReminderGateway
import Timestamps

@Suite("Input validation")
struct ValidationTests {
    func body(_ members: [String: JSONValue]) -> RequestJSON { RequestJSON(members: members) }

    @Test("scheduled_at: with an offset, Z, or without (read in the reminder's zone, across DST)")
    func scheduledAt() {
        #expect(InputRules.scheduledTime("2026-02-10T14:30:00+01:00", timeZone: "UTC") == Timestamp.parse("2026-02-10T13:30:00Z"))
        #expect(InputRules.scheduledTime("2026-02-10T14:30Z", timeZone: "UTC") == Timestamp.parse("2026-02-10T14:30:00Z"))
        #expect(InputRules.scheduledTime("2026-02-10T14:30:00", timeZone: "Europe/Copenhagen") == Timestamp.parse("2026-02-10T13:30:00Z"))
        #expect(InputRules.scheduledTime("2026-07-10T14:30:00", timeZone: "Europe/Copenhagen") == Timestamp.parse("2026-07-10T12:30:00Z"))
        #expect(InputRules.scheduledTime("2026-02-10T14:30:00.250Z", timeZone: "UTC") == Timestamp.parse("2026-02-10T14:30:00.25Z"))
        for bad in ["tomorrow", "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-02-10 14:30:00Z", "2026-02-10T24:00:00Z",
                    "1999-12-31T23:00:00Z", "2026-02-10T14:30:00+1", "2026-02-10", "2026-02-10T14:30:00Zjunk"] {
            #expect(InputRules.scheduledTime(bad, timeZone: "UTC") == nil, "\(bad)")
        }
    }

    @Test("e-mail syntax, HH:MM times and IANA zones")
    func formats() {
        #expect(InputRules.isEmailAddress("a.b+c@example.co.uk"))
        for bad in ["", "a", "a@", "@b.c", "a@b", "a..b@c.de", "a@-b.de", "a b@c.de", "a@c.d1"] {
            #expect(!InputRules.isEmailAddress(bad), "\(bad)")
        }
        #expect(InputRules.clockTime("18:00") == "18:00")
        #expect(InputRules.clockTime("8:00") == nil)
        #expect(InputRules.clockTime("24:00") == nil)
        #expect(InputRules.clockTime("18:00:00") == nil)
        #expect(InputRules.isTimeZone("Europe/Copenhagen"))
        #expect(InputRules.isTimeZone("UTC"))
        #expect(!InputRules.isTimeZone("Mars/Olympus"))
    }

    @Test("status_change needs target_status, time_based needs scheduled_at, limits name their field")
    func reminderRules() throws {
        func field(_ members: [String: JSONValue]) -> String? {
            do {
                _ = try ReminderInput.create(from: body(members), creator: 1)
                return nil
            } catch {
                #expect(error.status == .unprocessableContent)
                return error.field
            }
        }
        let base: [String: JSONValue] = ["title": .string("T"), "trigger_type": .string("status_change"),
                                         "trigger_config": .object(["target_status": .string("i_gang")])]
        #expect(field(base) == nil)
        #expect(field(base.merging(["trigger_config": .object([:])]) { $1 }) == "trigger_config.target_status")
        #expect(field(base.merging(["trigger_type": .string("time_based")]) { $1 }) == "scheduled_at")
        #expect(field(base.merging(["priority": .string("meh")]) { $1 }) == "priority")
        #expect(field(base.merging(["title": .string(String(repeating: "a", count: 201))]) { $1 }) == "title")
        #expect(field(base.merging(["message": .string(String(repeating: "a", count: 5001))]) { $1 }) == "message")
        #expect(field(base.merging(["recipient_emails": .array(Array(repeating: .string("a@b.de"), count: 101))]) { $1 }) == "recipient_emails")
        #expect(field(base.merging(["recipient_user_ids": .array([.number(1), .number(2.5)])]) { $1 }) == "recipient_user_ids[1]")
        let draft = try ReminderInput.create(from: body(base), creator: 9)
        #expect(draft.recipientUserIDs == [9])
    }

    @Test("text limits count Unicode scalars, not graphemes: combining marks and emoji sequences count in full")
    func scalarLimits() throws {
        // 150 graphemes of e + combining acute: 300 scalars, over the title's 200.
        let accented = String(repeating: "e\u{301}", count: 150)
        #expect(accented.count == 150)
        #expect(throws: GatewayError.self) { try RequestJSON.checkText(accented, field: "title", maxLength: 200) }
        // One family emoji is one grapheme of seven scalars.
        let family = "👩\u{200D}👩\u{200D}👧\u{200D}👦"
        #expect(family.count == 1 && family.unicodeScalars.count == 7)
        #expect(throws: GatewayError.self) { try RequestJSON.checkText(family, field: "title", maxLength: 6) }
        try RequestJSON.checkText(family, field: "title", maxLength: 7)
        // Exactly at the limit in scalars passes, whatever the bytes per scalar.
        try RequestJSON.checkText(String(repeating: "😀", count: 200), field: "title", maxLength: 200)
        try RequestJSON.checkText(String(repeating: "æ", count: 200), field: "title", maxLength: 200)
        #expect(throws: GatewayError.self) { try RequestJSON.checkText(String(repeating: "😀", count: 201), field: "title", maxLength: 200) }
        // A target status of 100 graphemes but more scalars is refused too.
        let status = String(repeating: "a\u{308}", count: 60)
        let members: [String: JSONValue] = ["title": .string("T"), "trigger_type": .string("status_change"),
                                            "trigger_config": .object(["target_status": .string(status)])]
        #expect(throws: GatewayError.self) { try ReminderInput.create(from: body(members), creator: 1) }
    }

    @Test("snooze minutes are whole numbers from 1 to 43200")
    func snoozeMinutes() throws {
        #expect(try body(["minutes": .number(1)]).int("minutes", range: InputRules.snoozeMinutes) == 1)
        #expect(try body(["minutes": .number(43_200)]).int("minutes", range: InputRules.snoozeMinutes) == 43_200)
        for bad: JSONValue in [.number(0), .number(43_201), .number(2.5), .string("15"), .bool(true)] {
            #expect(throws: GatewayError.self) { try body(["minutes": bad]).int("minutes", range: InputRules.snoozeMinutes) }
        }
    }

    @Test("quiet hours need both ends when enabled")
    func quietHours() throws {
        #expect(throws: GatewayError.self) {
            try PreferencesInput.update(NotificationPreferences(), with: body(["quiet_hours_enabled": .bool(true), "quiet_hours_start": .string("18:00")]))
        }
        let preferences = try PreferencesInput.update(NotificationPreferences(), with: body([
            "quiet_hours_enabled": .bool(true), "quiet_hours_start": .string("18:00"), "quiet_hours_end": .string("08:00"),
        ]))
        #expect(preferences.quietHoursEnd == "08:00")
    }
}
