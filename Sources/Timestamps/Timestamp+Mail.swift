import Foundation

extension Timestamp {
    static let weekdayNames: [StaticString] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let longWeekdayNames: [StaticString] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The RFC 5322 date of an e-mail's `Date` header, in UTC, whole seconds (rounded down):
    /// `Sun, 29 Nov 2026 11:49:17 +0000`.
    public static func rfc5322(_ date: Date) -> String {
        dayAndTime(date, zone: "+0000")
    }

    /// `Sun, 29 Nov 2026 11:49:17 ` followed by `zone`.
    static func dayAndTime(_ date: Date, zone: StaticString) -> String {
        let seconds = wholeSeconds(date)
        return String(unsafeUninitializedCapacity: 40) { buffer in
            var writer = DigitWriter(buffer)
            let (days, secondOfDay) = CivilCalendar.floorDivision(seconds, 86_400)
            let (year, month, day) = CivilCalendar.date(daysSince1970: days)
            writer.write(weekdayNames[CivilCalendar.weekday(daysSince1970: days) - 1])
            writer.write(", ")
            writer.write(day, width: 2)
            writer.write(" ")
            writer.write(monthNames[month - 1])
            writer.write(" ")
            writer.writeYear(year)
            writer.write(" ")
            writer.writeClock(secondOfDay)
            writer.write(" ")
            writer.write(zone)
            return writer.count
        }
    }
}
