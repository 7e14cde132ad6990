extension PostgresClient {
    /// Notifications sent with `NOTIFY channel` (or `pg_notify`), on a dedicated connection.
    ///
    /// The channel name is quoted as an identifier, so it is case-sensitive. See
    /// ``PostgresNotificationSequence`` for lifetime and reconnect behaviour.
    public func listen(on channel: String) -> PostgresNotificationSequence {
        PostgresNotificationSequence(
            configuration: configuration,
            channel: channel,
            logger: logger,
            isClientShutDown: { [self] in isShutDown }
        )
    }
}
