import Foundation

/// A `VTIMEZONE` written from the zone's own transitions (the system's time zone data):
/// one observance per change of offset between two instants, each starting at the local
/// time the change happens (read in the offset before it), plus the observance in force at
/// the start. A zone without changes gets one `STANDARD` observance.
public struct ICalendarTimeZone: Sendable, Equatable {
    /// One observance: from `start` on, the zone is `offsetTo` seconds from UTC.
    public struct Observance: Sendable, Equatable {
        /// When it starts.
        public var start: Date
        /// The offset before it, in seconds east of UTC.
        public var offsetFrom: Int
        /// Its offset, in seconds east of UTC.
        public var offsetTo: Int
        /// Daylight saving time (`DAYLIGHT`) or not (`STANDARD`).
        public var isDaylight: Bool
        /// Its abbreviation (`CEST`), when the zone data has one.
        public var name: String?
    }

    /// The IANA identifier, used as `TZID`.
    public let identifier: String
    /// The observances in order.
    public let observances: [Observance]

    /// The zone's observances from the one in force at `from` until the last change before `to`,
    /// named `identifier` (by default the zone's own; pass the name the events use, since the
    /// system may report an alias: `UTC` reads back as `GMT` on Linux).
    public init(zone: TimeZone, identifier: String? = nil, from: Date, to: Date) {
        self.identifier = identifier ?? zone.identifier
        // Find the change before `from` by starting a little over a year earlier: a zone with
        // daylight saving changes at least twice a year.
        var observances: [Observance] = []
        var cursor = from.addingTimeInterval(-400 * 86_400)
        while let change = zone.nextDaylightSavingTimeTransition(after: cursor), change < to {
            let before = zone.secondsFromGMT(for: change.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: change)
            let daylight = zone.isDaylightSavingTime(for: change)
            let observance = Observance(start: change, offsetFrom: before, offsetTo: after, isDaylight: daylight, name: zone.abbreviation(for: change))
            if change <= from {
                // Only the latest change at or before `from` matters.
                observances = [observance]
            } else {
                observances.append(observance)
            }
            cursor = change
        }
        if observances.isEmpty || observances[0].start > from {
            // No change before `from` in the year looked at: the offset then holds from 1970
            // (or the zone does not change at all).
            let offset = zone.secondsFromGMT(for: from)
            let first = Observance(
                start: Date(timeIntervalSince1970: 0), offsetFrom: offset, offsetTo: offset,
                isDaylight: zone.isDaylightSavingTime(for: from), name: zone.abbreviation(for: from)
            )
            observances.insert(first, at: 0)
        }
        self.observances = observances
    }

    /// Writes the `VTIMEZONE` component.
    public func write(to document: inout ICalendarDocument) {
        document.begin("VTIMEZONE")
        document.text("TZID", identifier)
        for observance in observances {
            let kind = observance.isDaylight ? "DAYLIGHT" : "STANDARD"
            document.begin(kind)
            // DTSTART is the local time of the change, read in the offset before it.
            let local = Date(timeIntervalSince1970: observance.start.timeIntervalSince1970 + Double(observance.offsetFrom))
            document.raw("DTSTART", String(ICalendarValue.utc(local).dropLast()))
            document.raw("TZOFFSETFROM", ICalendarValue.offset(seconds: observance.offsetFrom))
            document.raw("TZOFFSETTO", ICalendarValue.offset(seconds: observance.offsetTo))
            if let name = observance.name { document.text("TZNAME", name) }
            document.end(kind)
        }
        document.end("VTIMEZONE")
    }
}
