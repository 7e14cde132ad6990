import Foundation

extension Timestamp {
    /// Reads an HTTP-date (RFC 9110, section 5.6.7) in any of its three forms:
    /// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850 form
    /// `Sunday, 06-Nov-94 08:49:37 GMT` and C's asctime form `Sun Nov  6 08:49:37 1994`.
    /// Names are read without regard to case; `UTC` is taken for `GMT`. An RFC 850 two-digit
    /// year more than 50 years after `now` means the century before.
    public static func parseHTTPDate(_ text: String, now: Date = Date()) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            var scanner = TextScanner(bytes)
            let year: Int, month: Int, day: Int, time: Int
            if scanner.take(oneOf: longWeekdayNames) != nil {
                // Sunday, 06-Nov-94 08:49:37 GMT
                guard scanner.take(","), scanner.take(" "), let dd = scanner.number(digits: 2), scanner.take("-"),
                      let mon = scanner.take(oneOf: monthNames), scanner.take("-"), let yy = scanner.number(digits: 2),
                      scanner.take(" "), let clock = scanner.clock(), scanner.take(" "), scanner.takeGMT()
                else { return nil }
                day = dd
                month = mon + 1
                time = clock
                let thisYear = CivilCalendar.date(daysSince1970: CivilCalendar.floorDivision(wholeSeconds(now), 86_400).quotient).year
                var candidate = thisYear - thisYear % 100 + yy
                if candidate > thisYear + 50 { candidate -= 100 }
                year = candidate
            } else if scanner.take(oneOf: weekdayNames) != nil {
                if scanner.take(",") {
                    // Sun, 06 Nov 1994 08:49:37 GMT
                    guard scanner.take(" "), let dd = scanner.number(digits: 2), scanner.take(" "),
                          let mon = scanner.take(oneOf: monthNames), scanner.take(" "), let yyyy = scanner.number(digits: 4),
                          scanner.take(" "), let clock = scanner.clock(), scanner.take(" "), scanner.takeGMT()
                    else { return nil }
                    (year, month, day, time) = (yyyy, mon + 1, dd, clock)
                } else {
                    // Sun Nov  6 08:49:37 1994
                    guard scanner.take(" "), let mon = scanner.take(oneOf: monthNames), scanner.take(" ") else { return nil }
                    _ = scanner.take(" ")
                    guard let dd = scanner.number(digits: 1, upTo: 2), scanner.take(" "), let clock = scanner.clock(),
                          scanner.take(" "), let yyyy = scanner.number(digits: 4)
                    else { return nil }
                    (year, month, day, time) = (yyyy, mon + 1, dd, clock)
                }
            } else {
                return nil
            }
            guard scanner.isAtEnd, (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day) else { return nil }
            return instant(year: year, month: month, day: day, hour: 0, minute: 0, second: time, nanosecond: 0, utcOffset: 0)
        }
    }
}

extension TextScanner {
    /// `HH:MM:SS` as seconds of the day (a leap second's :60 allowed).
    fileprivate mutating func clock() -> Int? {
        guard let hour = number(digits: 2), take(":"), let minute = number(digits: 2), take(":"),
              let second = number(digits: 2), hour < 24, minute < 60, second <= 60
        else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    fileprivate mutating func takeGMT() -> Bool {
        take(word: "GMT") || take(word: "UTC")
    }
}
