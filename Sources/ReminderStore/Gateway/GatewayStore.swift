/// Everything the gateway reads and writes: users, reminders and their log, inboxes,
/// preferences, calendar feeds, webhook subscriptions, statistics and history, the demo's cases and the database's health. ``PostgresGatewayStore`` is the
/// one the service runs on; tests drive the gateway on one held in memory.
public protocol GatewayStore: UserDirectory, ReminderRepository, InboxRepository, PreferencesRepository, CaseRepository, CalendarRepository, WebhookRepository,
    StatisticsRepository, HealthProbe {}
