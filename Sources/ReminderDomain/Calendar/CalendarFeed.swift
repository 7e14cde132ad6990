import Foundation
import ReminderContracts

/// A user's reminders as an RFC 5545 calendar (`text/calendar`).
///
/// Time-based reminders are events at their scheduled time in their own zone (`DTSTART;TZID=…`,
/// with that zone's `VTIMEZONE`), repeating by an `RRULE` (see ``ICalendarRecurrenceRule``),
/// with an alarm when they fire. Deadline reminders are events at the case's deadline (UTC) with
/// an alarm `hours_before` it. `UID`s are `reminder-<id>@case-reminders`: stable for the
/// reminder's life, so a calendar updates an event rather than adding one.
public struct CalendarFeed: Sendable {
    /// The calendar's `PRODID`.
    public static let productID = "-//case-reminders//reminder calendar//EN"
    /// The domain part of every `UID`.
    public static let uidDomain = "case-reminders"
    /// How far past the latest event (or now) the time zones' changes are written.
    public static let zoneHorizon: TimeInterval = 10 * 366 * 86_400

    /// The events, in order.
    public var items: [CalendarFeedItem]
    /// The calendar's display name (`X-WR-CALNAME`).
    public var name: String

    /// A feed of `items`.
    public init(items: [CalendarFeedItem], name: String = "Reminders") {
        self.items = items
        self.name = name
    }

    /// The `UID` of a reminder's event.
    public static func uid(reminderID: Int) -> String {
        "reminder-\(reminderID)@\(uidDomain)"
    }

    /// `PRIORITY` (1 highest … 9 lowest) of a reminder's priority.
    public static func icalPriority(_ priority: Priority) -> Int {
        switch priority {
        case .urgent: 1
        case .high: 3
        case .normal: 5
        case .low: 9
        }
    }

    /// The calendar text; `now` bounds the time zone data written (with ``zoneHorizon``).
    /// Items in a zone the system does not know are left out.
    public func render(now: Date) -> String {
        var document = ICalendarDocument()
        document.begin("VCALENDAR")
        document.raw("VERSION", "2.0")
        document.raw("PRODID", Self.productID)
        document.raw("CALSCALE", "GREGORIAN")
        document.raw("METHOD", "PUBLISH")
        document.text("X-WR-CALNAME", name)

        // One VTIMEZONE per zone in use, covering its events from the earliest on.
        var zones: [String: (zone: TimeZone, earliest: Date, latest: Date)] = [:]
        for item in items {
            guard case .scheduled(let anchor, _, let identifier) = item.timing, let zone = TimeZone(identifier: identifier) else { continue }
            let known = zones[identifier]
            zones[identifier] = (zone, min(known?.earliest ?? anchor, anchor), max(known?.latest ?? anchor, anchor))
        }
        for identifier in zones.keys.sorted() {
            let entry = zones[identifier]!
            ICalendarTimeZone(zone: entry.zone, identifier: identifier, from: entry.earliest, to: max(entry.latest, now).addingTimeInterval(Self.zoneHorizon))
                .write(to: &document)
        }

        for item in items {
            switch item.timing {
            case .scheduled(let anchor, let recurrence, let identifier):
                guard let clock = WallClock(identifier: identifier) else { continue }
                let start = clock.reading(at: anchor)
                beginEvent(item, into: &document)
                document.raw("DTSTART", ICalendarValue.local(start), parameters: [("TZID", identifier)])
                if let rule = ICalendarRecurrenceRule.rule(for: recurrence, start: start) {
                    document.raw("RRULE", rule)
                }
                Self.alarm(item, secondsBefore: 0, into: &document)
            case .deadline(let deadline, let hoursBefore):
                beginEvent(item, into: &document)
                document.raw("DTSTART", ICalendarValue.utc(deadline))
                Self.alarm(item, secondsBefore: Int((hoursBefore * 3600).rounded()), into: &document)
            }
            document.end("VEVENT")
        }
        document.end("VCALENDAR")
        return document.text
    }

    private func beginEvent(_ item: CalendarFeedItem, into document: inout ICalendarDocument) {
        document.begin("VEVENT")
        document.raw("UID", Self.uid(reminderID: item.reminderID))
        document.raw("DTSTAMP", ICalendarValue.utc(item.updatedAt))
        document.raw("LAST-MODIFIED", ICalendarValue.utc(item.updatedAt))
        document.raw("SEQUENCE", String(max(0, item.sequence)))
        document.text("SUMMARY", item.title)
        var description = item.message ?? ""
        if let caseTitle = item.caseTitle {
            description += (description.isEmpty ? "" : "\n\n") + "Case \(item.sagID): \(caseTitle)"
        }
        if !description.isEmpty { document.text("DESCRIPTION", description) }
        document.raw("PRIORITY", String(Self.icalPriority(item.priority)))
        document.raw("TRANSP", "TRANSPARENT")
        document.raw("CLASS", "PRIVATE")
    }

    private static func alarm(_ item: CalendarFeedItem, secondsBefore: Int, into document: inout ICalendarDocument) {
        document.begin("VALARM")
        document.raw("ACTION", "DISPLAY")
        document.text("DESCRIPTION", item.title)
        document.raw("TRIGGER", ICalendarValue.duration(seconds: -secondsBefore))
        document.end("VALARM")
    }
}
