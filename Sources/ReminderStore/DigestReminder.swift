import ReminderContracts
import ReminderDomain

/// A held item's reminder, as the digest reads it.
struct DigestReminder {
    var title: String
    var caseTitle: String?
    var priority: Priority
    var flags: ChannelFlags<Bool?>
    var override: Bool
    var isWithdrawn: Bool
}
