import Postgres
import ReminderDomain

extension PostgresRow {
    /// The user's quiet hours from a row of `user_notification_preferences`
    /// joined to `users` (`quiet_hours_enabled`, `quiet_hours_start`,
    /// `quiet_hours_end`, `timezone`), read in the user's zone (or
    /// `defaultTimeZone` when theirs is unknown); `nil` when off or unset.
    func quietHours(defaultTimeZone: String) throws -> QuietHours? {
        guard try decode("quiet_hours_enabled", as: Bool.self),
              let start = try decode("quiet_hours_start", as: String?.self).flatMap(QuietHours.minutes(from:)),
              let end = try decode("quiet_hours_end", as: String?.self).flatMap(QuietHours.minutes(from:))
        else { return nil }
        let clock = WallClock(identifier: try decode("timezone")) ?? WallClock(identifier: defaultTimeZone)!
        return QuietHours(startMinute: start, endMinute: end, clock: clock)
    }
}
