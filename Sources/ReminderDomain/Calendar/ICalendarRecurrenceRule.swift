/// The `RRULE` that repeats a reminder the way ``Recurrence`` does, given the wall-clock
/// reading of its first occurrence in its own zone (written as `DTSTART;TZID=…`).
///
/// Daily and weekly rules keep the wall-clock time by themselves. A monthly rule on day 29, 30
/// or 31 would skip the months without that day (RFC 5545 ignores invalid dates), whereas we
/// clamp to the month's last day; so it names every day from the 28th up to the anchor's day
/// and keeps the last that exists (`BYSETPOS=-1`): day 31 gives 28 February (29 in leap years),
/// 30 April and 31 May.
public enum ICalendarRecurrenceRule {
    /// The rule's value, or `nil` for a reminder that fires once.
    public static func rule(for type: RecurrenceType, start: WallClock.Reading) -> String? {
        switch type {
        case .once:
            return nil
        case .daily:
            return "FREQ=DAILY"
        case .weekly:
            return "FREQ=WEEKLY"
        case .monthly:
            guard start.day > 28 else { return "FREQ=MONTHLY;BYMONTHDAY=\(start.day)" }
            let days = (28...start.day).map(String.init).joined(separator: ",")
            return "FREQ=MONTHLY;BYMONTHDAY=\(days);BYSETPOS=-1"
        }
    }
}
