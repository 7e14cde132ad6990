import Postgres

extension BenchmarkFixtures {
    /// Appends `rows` execution-log rows spread over `cases` cases (ids 1…), `users` users (ids
    /// 1…) and the last `days` days, in statements of at most a million rows: a quarter `fired`,
    /// the rest the six outcomes and dispatches, four rows per firing (so a `sent` row finds its
    /// `fired` row), channels in turn. `progress` gets the rows written so far.
    public func addStatisticsLog(rows: Int, cases: Int, users: Int, days: Int, progress: @Sendable (Int) -> Void = { _ in }) async throws {
        let chunk = 1_000_000
        var written = 0
        while written < rows {
            let count = min(chunk, rows - written)
            try await postgres.query(
                """
                INSERT INTO sag_reminder_logs (reminder_id, sag_id, event_id, user_id, channel, status, reason, created_at)
                SELECT 1 + n % $3, 1 + (n / 4) % $3, md5('bench-' || (n / 4))::uuid,
                       CASE WHEN n % 4 = 0 THEN NULL ELSE 1 + (n * 7919) % $4 END,
                       CASE WHEN n % 4 = 0 THEN NULL ELSE (ARRAY['email', 'mattermost', 'frontend'])[1 + n % 3] END,
                       CASE WHEN n % 4 = 0 THEN 'fired'
                            ELSE (ARRAY['sent', 'sent', 'sent', 'failed', 'rate_limited', 'deferred', 'skipped', 'dry_run', 'dispatched'])[1 + (n / 4) % 9]
                       END,
                       'benchmark row',
                       now() - make_interval(secs => (((n / 4)::bigint * 104729) % ($5::bigint * 86400))::double precision)
                           + CASE WHEN n % 4 = 0 THEN interval '0' ELSE make_interval(secs => (n % 4) * 0.05) END
                  FROM generate_series($1::bigint, $2::bigint) AS n
                """,
                [written + 1, written + count, cases, users, days]
            )
            written += count
            progress(written)
        }
    }

    /// Adds `rows` in-app entries over the same cases, users and days, half of them acknowledged
    /// within ten minutes.
    public func addStatisticsInbox(rows: Int, cases: Int, users: Int, days: Int) async throws {
        try await postgres.query("INSERT INTO sag_sager (titel) SELECT 'Benchmark case' WHERE NOT EXISTS (SELECT 1 FROM sag_sager)")
        try await postgres.query(
            """
            INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config)
            SELECT (SELECT min(id) FROM sag_sager), 'Benchmark reminder', 'status_change', '{"target_status": "i_gang"}' WHERE NOT EXISTS (SELECT 1 FROM sag_reminders)
            """
        )
        try await postgres.query(
            """
            INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority, created_at, acknowledged_at)
            SELECT 'bench-' || n, gen_random_uuid(), (SELECT min(id) FROM sag_reminders), 1 + n % $2, 1 + (n::bigint * 7919) % $3, 'Benchmark',
                   'normal', t, CASE WHEN n % 2 = 0 THEN t + make_interval(secs => n % 600) END
              FROM generate_series(1, $1) AS n
             CROSS JOIN LATERAL (SELECT now() - make_interval(secs => ((n::bigint * 104729) % ($4::bigint * 86400))::double precision) AS t) AS at
            """,
            [rows, cases, users, days]
        )
    }

    /// `VACUUM ANALYZE` of the log and the inbox: the visibility map lets the statistics read
    /// their covering indexes alone, as on a long-running system.
    public func vacuumStatisticsTables() async throws {
        try await postgres.query("VACUUM ANALYZE sag_reminder_logs")
        try await postgres.query("VACUUM ANALYZE sag_reminder_inbox")
    }

    /// How many times PostgreSQL scanned the log and the inbox sequentially so far (its
    /// statistics view lags by up to a second or so).
    public func sequentialScansOfStatisticsTables() async throws -> Int {
        try await count(
            """
            SELECT coalesce(sum(seq_scan), 0)::int8 AS n FROM pg_stat_user_tables WHERE relname IN ('sag_reminder_logs', 'sag_reminder_inbox')
            """
        )
    }
}
