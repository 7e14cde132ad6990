import Foundation
import Timestamps

/// How RFC 5545 writes dates, times, offsets and durations.
public enum ICalendarValue {
    /// A UTC DATE-TIME: `20260329T013000Z` (whole seconds).
    public static func utc(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = CivilCalendar.date(daysSince1970: days)
        let rest = seconds - days * 86_400
        return local(WallClock.Reading(year: year, month: month, day: day, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)) + "Z"
    }

    /// A local DATE-TIME (with a `TZID`, or floating): `20260329T023000`.
    public static func local(_ reading: WallClock.Reading) -> String {
        pad(reading.year, 4) + pad(reading.month, 2) + pad(reading.day, 2) + "T" + pad(reading.hour, 2) + pad(reading.minute, 2) + pad(reading.second, 2)
    }

    /// A UTC-OFFSET: `+0100`, `-0330`, `+053328` (seconds only when there are some).
    public static func offset(seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        let text = sign + pad(magnitude / 3600, 2) + pad(magnitude % 3600 / 60, 2)
        return magnitude % 60 == 0 ? text : text + pad(magnitude % 60, 2)
    }

    /// A DURATION in whole seconds, as exact hours, minutes and seconds (never nominal days,
    /// which stretch across a DST change): `PT0S`, `-PT24H`, `-PT1H30M`, `-PT1H0M15S`.
    public static func duration(seconds: Int) -> String {
        if seconds == 0 { return "PT0S" }
        let magnitude = abs(seconds)
        let hours = magnitude / 3600, minutes = magnitude % 3600 / 60, secs = magnitude % 60
        var text = (seconds < 0 ? "-" : "") + "PT"
        // RFC 5545's grammar: an hour may be followed by minutes, minutes by seconds.
        if hours > 0 { text += "\(hours)H" }
        if minutes > 0 || (hours > 0 && secs > 0) { text += "\(minutes)M" }
        if secs > 0 { text += "\(secs)S" }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
