import ReminderContracts
import ReminderDomain
import Testing

@Suite("Preference merge")
struct ChannelPreferencesTests {
    /// The whole truth table for one channel, written out by hand from the
    /// design's rule, not derived from the code.
    struct Row: Sendable, CustomStringConvertible {
        var user: Bool
        var flag: Bool?
        var override: Bool
        var expected: Bool
        var description: String { "user=\(user) flag=\(flag.map(String.init) ?? "nil") override=\(override) → \(expected)" }
    }

    static let table: [Row] = [
        // Without override: nil inherits, false turns off, true cannot beat an opt-out.
        Row(user: true, flag: nil, override: false, expected: true),
        Row(user: false, flag: nil, override: false, expected: false),
        Row(user: true, flag: true, override: false, expected: true),
        Row(user: false, flag: true, override: false, expected: false),
        Row(user: true, flag: false, override: false, expected: false),
        Row(user: false, flag: false, override: false, expected: false),
        // With override: the reminder's flag wins; nil still inherits.
        Row(user: true, flag: nil, override: true, expected: true),
        Row(user: false, flag: nil, override: true, expected: false),
        Row(user: true, flag: true, override: true, expected: true),
        Row(user: false, flag: true, override: true, expected: true),
        Row(user: true, flag: false, override: true, expected: false),
        Row(user: false, flag: false, override: true, expected: false),
    ]

    @Test("each row of the truth table, on each personal channel", arguments: table, Channel.personal)
    func truthTable(row: Row, channel: Channel) {
        var user = ChannelFlags(email: !row.user, mattermost: !row.user, frontend: !row.user)
        var reminder = ChannelFlags<Bool?>(email: nil, mattermost: nil, frontend: nil)
        switch channel {
        case .email: user.email = row.user; reminder.email = row.flag
        case .mattermost: user.mattermost = row.user; reminder.mattermost = row.flag
        case .frontend: user.frontend = row.user; reminder.frontend = row.flag
        case .webhook: Issue.record("webhooks have no per-person flag")
        }
        let channels = ChannelPreferences.channels(user: user, reminder: reminder, overrideUserPreferences: row.override)
        #expect(channels.contains(channel) == row.expected)
        // The other channels inherit the (opposite) user default untouched.
        for other in Channel.personal where other != channel {
            #expect(channels.contains(other) == !row.user)
        }
        // Preferences never choose the webhook channel: subscriptions do.
        #expect(!channels.contains(.webhook))
    }

    @Test("a user without preferences gets Mattermost and the inbox, not e-mail")
    func defaults() {
        let channels = ChannelPreferences.channels(
            user: ChannelPreferences.userDefaults,
            reminder: ChannelFlags(email: nil, mattermost: nil, frontend: nil),
            overrideUserPreferences: false
        )
        #expect(channels == [.mattermost, .frontend])
    }

    @Test("a bare address gets e-mail only, unless the reminder turned e-mail off")
    func bareAddress() {
        #expect(ChannelPreferences.channelsForBareAddress(reminder: .init(email: nil, mattermost: true, frontend: true)) == [.email])
        #expect(ChannelPreferences.channelsForBareAddress(reminder: .init(email: true, mattermost: nil, frontend: nil)) == [.email])
        #expect(ChannelPreferences.channelsForBareAddress(reminder: .init(email: false, mattermost: true, frontend: true)).isEmpty)
    }
}
