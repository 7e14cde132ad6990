"""The data set and the status-change driver.

Users get a mix of preferences (defaults, e-mail users, everything on, in-app
only, no e-mail address, quiet hours now in force that end during the run);
each case in the driven pool has two status_change reminders (target
`i_gang` and `afventer`), so every status change the driver makes fires
exactly one reminder; a set of time_based (once/daily/weekly/monthly) and
deadline_approaching reminders on cases of their own come due during the run.
With `recipients` N the status_change reminders have N recipients on
average (floor(N) or ceil(N) each, shuffled), a few of them bare addresses.

The driver changes case status at a fixed rate, one UPDATE per transaction,
round-robin over the pool, and writes the case's title `L<id>c<change>` in
the same UPDATE: the Mattermost post carries the case title, so the webhook
sink can tell which change a post belongs to.
"""
import datetime as dt
import random
import threading
import time
import zoneinfo

import psycopg

STATUSES = ("i_gang", "afventer")
BARE_ADDRESS_SHARE = 0.05


def recipient_counts(reminders, mean, rng):
    """`reminders` recipient counts of floor(mean) or ceil(mean), in a random
    order, whose mean is `mean` (to the nearest count)."""
    low = int(mean // 1)
    high_share = mean - low
    highs = int(round(reminders * high_share))
    counts = [low + 1] * highs + [low] * (reminders - highs)
    rng.shuffle(counts)
    return counts


class Workload:
    def __init__(self, users, cases, scheduled, seed=1, quiet_release_s=90, run_seconds=60, recipients=None):
        self.user_count = users
        self.recipients = recipients  # mean recipients per status_change reminder; None: the mix above
        self.case_count = cases
        self.scheduled_count = scheduled
        self.random = random.Random(seed)
        self.quiet_release_s = quiet_release_s
        self.run_seconds = run_seconds
        self.users = {}      # id -> dict(prefs)
        self.reminders = {}  # id -> dict
        self.pool = []       # case ids driven by status changes

    # --- generation ---------------------------------------------------------
    def _preferences(self, index, now):
        """A mix: 40 % defaults (no row), 20 % e-mail users, 10 % everything,
        10 % in-app only, 5 % e-mail wanted but no address, 15 % quiet hours now."""
        roll = index % 20
        prefs = None
        has_email = True
        if roll < 8:
            prefs = None
        elif roll < 12:
            prefs = dict(notify_email=True, notify_mattermost=False, notify_frontend=True)
        elif roll < 14:
            prefs = dict(notify_email=True, notify_mattermost=True, notify_frontend=True, mattermost_username=f"mm{index}")
        elif roll < 16:
            prefs = dict(notify_email=False, notify_mattermost=False, notify_frontend=True)
        elif roll < 17:
            prefs = dict(notify_email=True, notify_mattermost=True, notify_frontend=False)
            has_email = False
        else:
            # Quiet hours in force now, ending a little after the load starts,
            # in the user's own time zone (three zones).
            zone = ("Europe/Copenhagen", "UTC", "America/New_York")[index % 3]
            local = now.astimezone(zoneinfo.ZoneInfo(zone))
            start = (local - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
            end = (local + dt.timedelta(seconds=self.quiet_release_s + 60)).replace(second=0, microsecond=0)
            prefs = dict(notify_email=True, notify_mattermost=True, notify_frontend=True, quiet_hours_enabled=True,
                         quiet_hours_start=start.time(), quiet_hours_end=end.time(), timezone=zone,
                         email_override=f"quiet{index}@other.load.test")
        return prefs, has_email

    def create(self, conn):
        now = dt.datetime.now(dt.timezone.utc)
        self.created_at = now
        with conn.cursor() as cur:
            with cur.copy("COPY users (username, full_name, email) FROM STDIN") as copy:
                for i in range(self.user_count):
                    _, has_email = self._preferences(i, now)
                    copy.write_row((f"u{i}", f"Load User {i}", f"u{i}@load.test" if has_email else None))
            ids = [r[0] for r in cur.execute("SELECT user_id FROM users WHERE username LIKE 'u%%' ORDER BY user_id")]
            rows = []
            for i, user_id in enumerate(ids):
                prefs, has_email = self._preferences(i, now)
                self.users[user_id] = dict(prefs=prefs, has_email=has_email, email=f"u{i}@load.test" if has_email else None)
                if prefs is not None:
                    rows.append((user_id, prefs.get("notify_mattermost", True), prefs.get("notify_email", False),
                                 prefs.get("notify_frontend", True), prefs.get("email_override"),
                                 prefs.get("mattermost_username"), prefs.get("quiet_hours_enabled", False),
                                 prefs.get("quiet_hours_start"), prefs.get("quiet_hours_end"),
                                 prefs.get("timezone", "Europe/Copenhagen")))
            with cur.copy("COPY user_notification_preferences (user_id, notify_mattermost, notify_email, notify_frontend, "
                          "email_override, mattermost_username, quiet_hours_enabled, quiet_hours_start, quiet_hours_end, "
                          "timezone) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            self.user_ids = ids
            # A warm-up user and case: one change proves every stage is up.
            warm = cur.execute("INSERT INTO users (username, full_name, email) VALUES ('warmup', 'Warm Up', "
                               "'warmup@load.test') RETURNING user_id").fetchone()[0]
            warm_prefs = dict(notify_email=True, notify_mattermost=True, notify_frontend=True)
            cur.execute("INSERT INTO user_notification_preferences (user_id, notify_email, notify_mattermost, "
                        "notify_frontend) VALUES (%s, true, true, true)", (warm,))
            self.users[warm] = dict(prefs=warm_prefs, has_email=True, email="warmup@load.test")
            self.warmup_case = cur.execute("INSERT INTO sag_sager (titel, status) VALUES ('W', 'ny') RETURNING id").fetchone()[0]
            cur.execute("INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids) "
                        "VALUES (%s, 'Warm-up', 'status_change', '{\"target_status\": \"i_gang\"}', %s)",
                        (self.warmup_case, [warm]))

            # Cases: the driven pool, then one case per scheduled reminder.
            with cur.copy("COPY sag_sager (titel, status, deadline) FROM STDIN") as copy:
                for i in range(self.case_count):
                    copy.write_row(("pending", "ny", None))
                for i in range(self.scheduled_count):
                    copy.write_row((f"S{i}", "ny", None))
            case_ids = [r[0] for r in cur.execute("SELECT id FROM sag_sager WHERE id <> %s ORDER BY id", (self.warmup_case,))]
            self.pool = case_ids[: self.case_count]
            scheduled_cases = case_ids[self.case_count:]
            cur.execute("UPDATE sag_sager SET titel = 'L' || id || 'c0' WHERE id = ANY(%s)", (self.pool,))
            # Two status_change reminders per driven case.
            reminders = []
            counts = iter(recipient_counts(len(self.pool) * len(STATUSES), self.recipients, self.random)
                          if self.recipients is not None else [])
            for sag in self.pool:
                for target in STATUSES:
                    reminders.append(self._reminder(sag, "status_change", {"target_status": target},
                                                    recipients=next(counts, None)))
            # Scheduled ones come due during the first two thirds of the run.
            for n, sag in enumerate(scheduled_cases):
                due = now + dt.timedelta(seconds=15 + self.random.random() * self.run_seconds * 0.6)
                kind = n % 5
                if kind == 4:
                    hours = 1.0
                    cur.execute("UPDATE sag_sager SET deadline = %s WHERE id = %s", (due + dt.timedelta(hours=hours), sag))
                    reminders.append(self._reminder(sag, "deadline_approaching", {"hours_before": hours}))
                else:
                    recurrence = ("once", "daily", "weekly", "monthly")[kind]
                    reminders.append(self._reminder(sag, "time_based", {}, recurrence=recurrence, scheduled_at=due))
            with cur.copy("COPY sag_reminders (sag_id, title, message, priority, trigger_type, trigger_config, "
                          "recipient_user_ids, recipient_emails, notify_mattermost, notify_email, notify_frontend, "
                          "override_user_preferences, recurrence_type, scheduled_at) FROM STDIN") as copy:
                for r in reminders:
                    copy.write_row((r["sag_id"], r["title"], r["message"], r["priority"], r["trigger_type"],
                                    psycopg.types.json.Jsonb(r["trigger_config"]), r["recipient_user_ids"],
                                    r["recipient_emails"], r["flags"][0], r["flags"][1], r["flags"][2],
                                    r["override"], r["recurrence"], r["scheduled_at"]))
        conn.commit()
        self.reload(conn)

    def _reminder(self, sag, trigger_type, config, recurrence="once", scheduled_at=None, recipients=None):
        """recipients: how many (users and bare addresses); None: one user,
        a second in 10 % and a bare address in 5 % (about 1.15)."""
        rnd = self.random
        if recipients is None:
            users = [rnd.choice(self.user_ids)]
            if rnd.random() < 0.10:
                users.append(rnd.choice(self.user_ids))
            emails = [f"ext{rnd.randrange(200)}@bare.load.test"] if rnd.random() < BARE_ADDRESS_SHARE else []
        else:
            # Distinct users, so the count is what the dispatcher fans out to;
            # in 5 % one of them is a bare address instead.
            bare = 1 if recipients >= 1 and rnd.random() < BARE_ADDRESS_SHARE else 0
            users = rnd.sample(self.user_ids, recipients - bare)
            emails = [f"ext{rnd.randrange(200)}@bare.load.test"] * bare
        roll = rnd.random()
        flags, override = (None, None, None), False
        if roll < 0.05:
            flags, override = (True, True, True), True      # override: the reminder's flags win
        elif roll < 0.10:
            flags = (None, True, None)                        # e-mail on, but a user's opt-out wins
        elif roll < 0.13:
            flags = (False, None, None)                       # Mattermost off
        priority = "urgent" if rnd.random() < 0.05 else rnd.choice(["low", "normal", "normal", "high"])
        return dict(sag_id=sag, title=f"Load reminder {trigger_type}", message="Generated by the load run.",
                    priority=priority, trigger_type=trigger_type, trigger_config=config,
                    recipient_user_ids=users, recipient_emails=emails, flags=flags, override=override,
                    recurrence=recurrence, scheduled_at=scheduled_at)

    def recipient_mean(self):
        """The mean number of distinct recipients of the driven status_change reminders."""
        pool = set(self.pool)
        counts = [len(set(r["users"])) + len({e.strip().lower() for e in r["emails"]})
                  for r in self.reminders.values() if r["trigger_type"] == "status_change" and r["sag_id"] in pool]
        return sum(counts) / len(counts) if counts else None

    def reload(self, conn):
        """The reminders as stored (the checker's view of what was asked for)."""
        self.reminders = {}
        for row in conn.execute("SELECT id, sag_id, trigger_type, recipient_user_ids, recipient_emails, notify_mattermost, "
                                "notify_email, notify_frontend, override_user_preferences, priority, scheduled_at FROM sag_reminders"):
            self.reminders[row[0]] = dict(sag_id=row[1], trigger_type=row[2], users=list(row[3]), emails=list(row[4]),
                                          flags=dict(mattermost=row[5], email=row[6], frontend=row[7]),
                                          override=row[8], priority=row[9], scheduled_at=row[10])


class Driver:
    """Changes case status at `rate` per second for `duration` seconds."""

    def __init__(self, database_url, pool, rate, duration, threads=4, log=print):
        self.database_url = database_url
        self.pool = pool
        self.rate = rate
        self.duration = duration
        self.threads = threads
        self.log = log
        self.changes = []  # (t_commit, sag, change_no, status)
        self.errors = []
        self.lock = threading.Lock()
        self.case_state = {}  # sag -> (change_no, status_index)
        self.started = None
        self.finished = None

    def run(self, stop_event=None):
        total = int(self.rate * self.duration)
        self.started = time.time()
        t0 = time.monotonic()
        workers = [threading.Thread(target=self._work, args=(k, total, t0, stop_event), daemon=True)
                   for k in range(self.threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.finished = time.time()

    def _connect(self):
        while True:
            try:
                # Named, so PostgreSQL's CPU for the status changes shows apart from the services'.
                return psycopg.connect(self.database_url, autocommit=True, connect_timeout=3, application_name="load driver")
            except psycopg.OperationalError as error:
                self.errors.append((time.time(), str(error)[:200]))
                time.sleep(0.2)

    def _work(self, k, total, t0, stop_event):
        conn = self._connect()
        pool = self.pool
        for i in range(k, total, self.threads):
            if stop_event is not None and stop_event.is_set():
                break
            due = t0 + i / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sag = pool[i % len(pool)]
            change = i // len(pool) + 1
            status = STATUSES[(change - 1) % 2]
            while True:
                try:
                    conn.execute("UPDATE sag_sager SET status = %s, titel = %s, updated_at = now() WHERE id = %s",
                                 (status, f"L{sag}c{change}", sag))
                    committed = time.time()
                    break
                except psycopg.OperationalError as error:
                    # PostgreSQL restarted under us: was the change committed?
                    self.errors.append((time.time(), str(error)[:200]))
                    try:
                        conn.close()
                    except Exception:
                        pass
                    conn = self._connect()
                    row = conn.execute("SELECT status, titel FROM sag_sager WHERE id = %s", (sag,)).fetchone()
                    if row and row[1] == f"L{sag}c{change}":
                        committed = None  # committed, commit time unknown
                        break
            with self.lock:
                self.changes.append((committed, sag, change, status, i))
        conn.close()
