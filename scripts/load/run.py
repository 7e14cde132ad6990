"""One load run: private stack, data set, driver, faults, drain, invariant, analysis."""
import json
import os
import random
import shutil
import subprocess
import threading
import time

import psycopg

from . import analysis, invariants
from .inbox_listener import InboxCommitListener
from .scrape import METRIC_BY_ROLE, Scraper
from .stack import SERVICE_ROLES, Stack
from .workload import Driver, Workload

ALL_FAULTS = ("kill", "pg", "broker", "smtp", "webhook")
SCALE_KINDS = invariants.SCALE_KINDS  # join, sigterm, sigkill


# The product's default REMINDERS_MAX_PER_USER_PER_HOUR.
DEFAULT_HOURLY_LIMIT = 5


class Profile:
    def __init__(self, rate=100, duration=60, faults=(), users=None, cases=None, scheduled=None, limit=DEFAULT_HOURLY_LIMIT,
                 seed=1, smtp_down_s=30, broker_pause_s=10, webhook_bad_s=20, kill_roles=None, drain_timeout=180,
                 quiet_release_s=None, threads=4, settings=None, wait_for_held=True, role_settings=None,
                 recipients=None, instances=None, scale_events=False):
        self.rate = rate
        self.duration = duration
        self.faults = tuple(faults)
        self.limit = limit
        # Mean recipients per status_change reminder (None: the workload's mix, about 1.15).
        self.recipients = recipients
        # Instances per role at the start ({"email": 2}; every other role 1).
        self.instances = dict(instances or {})
        # Joins, SIGTERMs and SIGKILLs of the roles in `instances` during the load.
        self.scale_events = scale_events
        # Enough users that most are under the limit, few enough that some reach it.
        self.users = users or max(200, int(rate * duration * (recipients or 1) / 3))
        self.users_given = False  # set by --users: fit_users leaves the count alone
        # Each case changes at most once every ~10 s, so a post's case title
        # names its change; and each of its two reminders fires at most about
        # three times in the run, so that under the hourly limit (5) only the
        # users with several reminders reach it and the other recipients keep
        # the channels busy to the end of the load (with 1,200 cases in a
        # 150 s run every recipient had reached it by 120 s, and nothing was
        # delivered after that).
        self.cases = cases or max(500, int(rate * 12), int(rate * duration / 6))
        self.scheduled = scheduled if scheduled is not None else max(20, int(duration))
        self.seed = seed
        self.smtp_down_s = smtp_down_s
        self.broker_pause_s = broker_pause_s
        self.webhook_bad_s = webhook_bad_s
        self.kill_roles = kill_roles or list(SERVICE_ROLES)
        self.drain_timeout = drain_timeout
        self.quiet_release_s = quiet_release_s if quiet_release_s is not None else duration / 2
        self.threads = threads
        # Fault runs wait for quiet-hour deferrals released during the drain;
        # throughput runs leave them held (their release is hours away).
        self.wait_for_held = wait_for_held
        self.settings = dict(settings or {})
        self.role_settings = dict(role_settings or {})

    def fit_users(self):
        """With more recipients per reminder, more users: under the hourly
        limit of the fault runs (5) an average user gets about 3 notifications
        (most stay under the limit, some reach it). With the limit raised
        (runs without faults), so that no one is held back, an average user
        still gets no more than the product's default hourly limit in a run:
        a hub whose users each got thousands of reminders an hour would make
        every rate-window read walk thousands of rows, which no real data set
        does (the default limit keeps that read at five rows a recipient)."""
        if self.recipients is None or self.users_given:
            return
        per_user = 0.6 * self.limit if self.faults else min(self.limit / 4, DEFAULT_HOURLY_LIMIT)
        needed = int(self.rate * self.duration * self.recipients / max(per_user, 0.5)) + 1
        self.users = max(self.users, needed)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()}


# Seconds a fault takes besides its length: a kill (SIGKILL, reaping, 0.5 s
# before the restart) and an immediate restart of PostgreSQL.
FAULT_OVERHEAD_S = {"kill": 1.0, "pg": 3.0}


def fault_tail_s(duration):
    """Seconds of load after the last fault's end, so that recovery from it is
    seen under load: a tenth of the run, at least 10 s."""
    return max(10.0, 0.10 * duration)


def fault_plan(profile, rng):
    """(offset seconds, kind, detail, length seconds), in a random order, from
    10 % of the run until `fault_tail_s` before its end. When the faults fit
    in that window one after another, each begins only after the one before
    it has ended, with the rest of the window shared out as random gaps
    between them (so each recovery is seen on its own); when they do not fit,
    they overlap evenly. Either way every fault ends by the window's end."""
    items = []
    if "kill" in profile.faults:
        for role in profile.kill_roles:
            items.append(("kill", role, 0))
    if "pg" in profile.faults:
        items.append(("pg", "restart -m immediate", 0))
    if "broker" in profile.faults:
        items.append(("broker", "SIGSTOP", profile.broker_pause_s))
    if "smtp" in profile.faults:
        items.append(("smtp", "down", profile.smtp_down_s))
    if "webhook" in profile.faults:
        items.append(("webhook", "429 then 500", profile.webhook_bad_s))
    if not items:
        return []
    rng.shuffle(items)
    start, stop = 0.10 * profile.duration, profile.duration - fault_tail_s(profile.duration)
    spans = [length + FAULT_OVERHEAD_S.get(kind, 0.0) for kind, _, length in items]
    free = (stop - start) - sum(spans)
    if len(items) == 1:
        gaps = []
        start += rng.random() * max(0.0, free)
    elif free > 0:
        weights = [0.75 + 0.5 * rng.random() for _ in items[1:]]
        gaps = [free * w / sum(weights) for w in weights]
    else:
        gaps = [free / (len(items) - 1)] * (len(items) - 1)
    plan, at = [], start
    for n, ((kind, detail, length), span) in enumerate(zip(items, spans)):
        plan.append((round(at, 2), kind, detail, length))
        if n < len(gaps):
            at += span + gaps[n]
    return plan


def scale_plan(profile, rng):
    """(offset seconds, kind, role, 0): for each role given instances, a join,
    then a SIGTERM, then a SIGKILL, each at a random moment of its own third
    of 10–85 % of the load."""
    if not profile.scale_events:
        return []
    start, end = 0.10 * profile.duration, 0.85 * profile.duration
    slot = (end - start) / len(SCALE_KINDS)
    plan = []
    for role in (r for r in SERVICE_ROLES if r in profile.instances):
        for n, kind in enumerate(SCALE_KINDS):
            at = start + n * slot + rng.random() * slot * 0.8
            plan.append((round(at, 2), kind, role, 0))
    return sorted(plan)


class Injector:
    """Carries out the fault plan and the scale plan (both lists of
    (offset s, kind, detail, length s)) from `t0` on, each item in a thread."""

    def __init__(self, stack, plan, t0, log, scale=(), seed=1):
        self.stack = stack
        self.plan = sorted(list(plan) + list(scale), key=lambda item: item[0])
        self.t0 = t0
        self.log = log
        self.timeline = []  # dicts: kind, detail, start, end, ok, note
        self.scale_events = []  # dicts: t, role, instance, kind, end, ok, note
        self.lock = threading.Lock()
        self.role_locks = {role: threading.Lock() for role in SERVICE_ROLES}
        self.random = random.Random(seed * 7919 + 17)  # which instance leaves
        self.threads = []

    def run(self):
        for at, kind, detail, length in self.plan:
            delay = self.t0 + at - time.time()
            if delay > 0:
                time.sleep(delay)
            target = self._scale if kind in SCALE_KINDS else self._one
            t = threading.Thread(target=target, args=(kind, detail, length), daemon=True)
            t.start()
            self.threads.append(t)
        for t in self.threads:
            t.join()

    def _record_scale(self, entry):
        self.log(f"scale {entry['kind']} {entry['instance']}: {entry['note']}")
        with self.lock:
            self.scale_events.append(entry)

    def _scale(self, kind, role, _length):
        with self.role_locks[role]:
            if kind == "join":
                entry = {"t": time.time(), "role": role, "kind": "join", "instance": None, "ok": True, "note": ""}
                try:
                    instance = self.stack.start_instance(role)
                    entry.update(instance=instance.name, note=f"pid {instance.pid}")
                except Exception as error:
                    entry.update(ok=False, note=f"error: {error}")
                entry["end"] = time.time()
                self._record_scale(entry)
                return
            live = self.stack.live_instances(role)
            if len(live) <= 1:
                # Never to zero: one more first, serving before the stop.
                entry = {"t": time.time(), "role": role, "kind": "join", "instance": None, "ok": True,
                         "note": f"extra instance before the {kind}, so the role keeps one"}
                try:
                    extra = self.stack.start_instance(role)
                    entry["instance"] = extra.name
                    entry["ok"] = self.stack.wait_serving(extra, timeout=20)
                    if not entry["ok"]:
                        entry["note"] += "; it did not serve /metrics within 20 s"
                except Exception as error:
                    entry.update(ok=False, note=f"error: {error}")
                entry["end"] = time.time()
                self._record_scale(entry)
                live = [i for i in self.stack.live_instances(role) if i.name != entry["instance"]] or live
            victim = self.random.choice(live)
            entry = {"t": time.time(), "role": role, "kind": kind, "instance": victim.name, "ok": True, "note": ""}
            try:
                entry["note"] = self.stack.stop_instance(victim, kind)
            except Exception as error:
                entry.update(ok=False, note=f"error: {error}")
            entry["end"] = time.time()
            self._record_scale(entry)

    def _one(self, kind, detail, length):
        entry = {"kind": kind, "detail": detail, "start": time.time(), "ok": True, "note": ""}
        try:
            if kind == "kill":
                instance = self.stack.kill_service(detail)
                entry["instance"] = instance.name
                entry["end"] = time.time()
                time.sleep(0.5)
                self.stack.restart_instance(instance.name)
                entry["restored"] = time.time()
                entry["note"] = f"SIGKILL of {instance.name}, restarted after 0.5 s"
            elif kind == "pg":
                self.stack.restart_postgres()
                entry["end"] = entry["restored"] = time.time()
                entry["note"] = "pg_ctl restart -m immediate"
            elif kind == "broker":
                self.stack.pause_broker()
                time.sleep(length)
                self.stack.resume_broker()
                entry["end"] = entry["restored"] = time.time()
                entry["note"] = f"SIGSTOP for {length} s, then SIGCONT (memory broker: a restart would lose its data)"
            elif kind == "smtp":
                self.stack.sink_control("/smtp/down")
                time.sleep(length)
                self.stack.sink_control("/smtp/up")
                entry["end"] = entry["restored"] = time.time()
                entry["note"] = f"SMTP sink not listening for {length} s"
            elif kind == "webhook":
                half = length / 2
                self.stack.sink_control("/webhook?status=429&retry_after=2")
                time.sleep(half)
                self.stack.sink_control("/webhook?status=500")
                time.sleep(length - half)
                self.stack.sink_control("/webhook?status=200")
                entry["end"] = entry["restored"] = time.time()
                entry["note"] = f"webhook answers 429 (Retry-After 2) for {half:g} s, then 500 for {length - half:g} s"
        except Exception as error:
            entry["ok"] = False
            entry["note"] += f" error: {error}"
            entry.setdefault("end", time.time())
        self.log(f"fault {kind} {detail}: {entry['note']}")
        with self.lock:
            self.timeline.append(entry)


def wait_warm(stack, workload, timeout=90, log=print):
    """One status change on the warm-up case, until the e-mail, the post and the inbox row arrive."""
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute("UPDATE sag_sager SET status = 'i_gang' WHERE id = %s", (workload.warmup_case,))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = stack.sink_control("/stats", method="GET")
            inbox = conn.execute("SELECT count(*) FROM sag_reminder_inbox").fetchone()[0]
            if stats["smtp"] >= 1 and stats["http_2xx"] >= 1 and inbox >= 1:
                return True
            dead = stack.dead_services()
            if dead:
                raise RuntimeError(f"services exited during warm-up: {dead}")
            time.sleep(0.2)
    raise RuntimeError("the pipeline did not deliver the warm-up change in time")


DRAIN_SQL = """
SELECT (SELECT count(*) FROM reminder_outbox WHERE published_at IS NULL AND available_at <= now() + make_interval(secs => %s)),
       (SELECT count(*) FROM sag_reminder_queue WHERE status IN ('pending', 'processing')),
       (SELECT count(*) FROM sag_reminder_deliveries WHERE status NOT IN ('sent', 'dry_run', 'skipped', 'dead')),
       (SELECT count(*) FROM reminder_outbox WHERE published_at IS NOT NULL AND topic LIKE 'reminders.deliver.%%'
          AND topic NOT LIKE '%%.dlq' AND COALESCE((payload ->> 'attempt')::int, 0) = 0),
       (SELECT count(*) FROM sag_reminder_deliveries WHERE channel <> 'frontend'),
       (SELECT count(*) FROM sag_reminders WHERE is_active AND deleted_at IS NULL AND next_check_at <= now()
          AND trigger_type IN ('time_based', 'deadline_approaching'))
"""


def drain(stack, timeout, log, wait_for_held=True):
    """Waits until nothing is in flight: every due outbox row published, every
    firing dispatched, every published delivery handled and finished. In-app
    deliveries have no outbox row (the dispatcher writes them), so they are
    not counted as handled ones."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(stack.database_url, autocommit=True, connect_timeout=3) as conn:
                while time.monotonic() < deadline:
                    remaining = max(0.0, deadline - time.monotonic()) if wait_for_held else 0.0
                    row = conn.execute(DRAIN_SQL, (remaining,)).fetchone()
                    due, queued, open_deliveries, published, handled, unfired = row
                    last = row
                    if due == 0 and queued == 0 and open_deliveries == 0 and published <= handled and unfired == 0:
                        return True, dict(zip(("due_outbox", "queued", "open_deliveries", "published", "handled", "unfired"), row))
                    time.sleep(0.5)
        except psycopg.OperationalError:
            time.sleep(0.5)
    log(f"drain timed out: {last}")
    return False, dict(zip(("due_outbox", "queued", "open_deliveries", "published", "handled", "unfired"), last or ()))


def cpu_window(before, after, t_from, t_to, postgres_before=None, postgres_after=None):
    """CPU seconds per role and per instance between two snapshots of
    {(role, instance, pid): seconds} (a process started in between counts from zero).
    With snapshots of {(client, backend pid): seconds}, also PostgreSQL's
    seconds per client (the load driver, each service role, autovacuum…)."""
    by_role, by_instance = {}, {}
    for (role, instance, pid), seconds in after.items():
        spent = max(0.0, seconds - before.get((role, instance, pid), 0.0))
        by_role[role] = by_role.get(role, 0.0) + spent
        by_instance[instance] = by_instance.get(instance, 0.0) + spent
    window = {"from": t_from, "to": t_to, "seconds": round(t_to - t_from, 2),
              "seconds_by_role": {k: round(v, 3) for k, v in sorted(by_role.items())},
              "seconds_by_instance": {k: round(v, 3) for k, v in sorted(by_instance.items())}}
    if postgres_after is not None:
        by_client = {}
        for (client, pid), seconds in postgres_after.items():
            spent = max(0.0, seconds - (postgres_before or {}).get((client, pid), 0.0))
            by_client[client] = by_client.get(client, 0.0) + spent
        window["postgres_seconds_by_client"] = {k: round(v, 3) for k, v in sorted(by_client.items(), key=lambda kv: -kv[1])}
    return window


def cpu_percent_series(series, t_from, t_to, step=10.0):
    """Each role's CPU in % of one core over consecutive `step`-second windows
    from `t_from` to `t_to`, from cumulative samples [(t, {role: seconds})]:
    the test broker's cost grows as its store fills, and a run's total hides
    that. Each window runs between the last samples at or before its ends; a
    role first seen inside a window counts from zero; a window without two
    distinct samples is None."""
    bounds = []
    t = t_from
    while t <= t_to + 1e-9:
        bounds.append(t)
        t += step
    ordered = sorted(series, key=lambda entry: entry[0])

    def at(moment):
        found = None
        for entry in ordered:
            if entry[0] > moment:
                break
            found = entry
        return found

    roles = sorted({role for _, totals in ordered for role in totals})
    by_role = {role: [] for role in roles}
    for start, end in zip(bounds, bounds[1:]):
        first, last = at(start), at(end)
        for role in roles:
            if first is None or last is None or last[0] <= first[0]:
                by_role[role].append(None)
            else:
                spent = last[1].get(role, 0.0) - first[1].get(role, 0.0)
                by_role[role].append(round(100.0 * max(0.0, spent) / (last[0] - first[0]), 1))
    return by_role


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def execute(profile, out_dir, name, log=print, keep_stack=False):
    """Runs one profile; writes `<out_dir>/<name>.json` (and sink records) and returns the result dict."""
    os.makedirs(out_dir, exist_ok=True)
    settings = {"REMINDERS_MAX_PER_USER_PER_HOUR": profile.limit}
    settings.update(profile.settings)
    stack = Stack(settings=settings, keep=keep_stack, log=log, role_settings=profile.role_settings,
                  instances=profile.instances)
    result = {"name": name, "profile": profile.as_dict(), "load_before": loadavg(), "binary": stack.binary}
    rng = random.Random(profile.seed)
    scraper = None
    listener = None
    try:
        t_setup = time.time()
        stack.start()
        workload = Workload(profile.users, profile.cases, profile.scheduled, seed=profile.seed,
                            quiet_release_s=profile.quiet_release_s, run_seconds=profile.duration,
                            recipients=profile.recipients)
        with psycopg.connect(stack.database_url) as conn:
            workload.create(conn)
        mean = workload.recipient_mean()
        result["recipients"] = {"requested": profile.recipients,
                                "status_change_reminders_mean": round(mean, 3) if mean is not None else None}
        result["profile"]["recipients"] = profile.recipients if profile.recipients is not None else result["recipients"]["status_change_reminders_mean"]
        log(f"{name}: {profile.users} users, {profile.cases} driven cases, {len(workload.reminders)} reminders "
            f"({mean or 0:.2f} recipients per status change); instances {stack.initial_instances}; warming up")
        wait_warm(stack, workload, log=log)
        result["setup_s"] = round(time.time() - t_setup, 1)
        driver = Driver(stack.database_url, workload.pool, profile.rate, profile.duration, threads=profile.threads, log=log)
        plan = fault_plan(profile, rng)
        scale = scale_plan(profile, rng)
        scraper = Scraper(stack, log=log)
        scraper.start()
        listener = InboxCommitListener(stack.database_url)
        listener.start()
        cpu_load_start = stack.cpu_snapshot()
        pg_load_start = stack.postgres_client_snapshot()
        t0 = time.time()
        injector = Injector(stack, plan, t0, log, scale=scale, seed=profile.seed)
        fault_thread = threading.Thread(target=injector.run, daemon=True)
        fault_thread.start()
        log(f"{name}: driving {profile.rate}/s for {profile.duration} s; faults: {[(a, k, d) for a, k, d, _ in plan]}"
            + (f"; scale events: {[(a, k, r) for a, k, r, _ in scale]}" if scale else ""))
        driver.run()
        cpu_load_end = stack.cpu_snapshot()
        pg_load_end = stack.postgres_client_snapshot()
        t_driver_end = time.time()
        fault_thread.join()
        t_load_end = time.time()
        result["load_during"] = loadavg()
        dead = stack.dead_services()
        for instance, code in dead.items():
            # A service that died by itself (not by our SIGKILL or SIGTERM) is a finding; restart it so the run can drain.
            log(f"{name}: {instance} exited with {code}; restarting it")
            result.setdefault("unexpected_exits", []).append(
                {"role": stack.instances[instance].role, "instance": instance, "code": code, "t": time.time()})
            stack.restart_instance(instance)
        drained, drain_state = drain(stack, profile.drain_timeout, log, profile.wait_for_held)
        cpu_drained = stack.cpu_snapshot()
        pg_drained = stack.postgres_client_snapshot()
        t_drained = time.time()
        scraper.stop()
        listener.stop()
        if listener.error:
            log(f"{name}: the inbox listener lost its connection {listener.reconnects} time(s) (last: {listener.error}); "
                "inserts committed meanwhile have no in-app latency")
            result["inbox_listener"] = {"reconnects": listener.reconnects, "last_error": listener.error}
        stack.sink_control("/flush")
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            snap = invariants.load_snapshot(conn, workload, stack.sink_dir)
            snap["inbox_visible"] = listener.visible_at()
            stack._sample_once()
            result["cpu_seconds"] = {k: round(v, 1) for k, v in stack.cpu_by_role().items()}
            result["cpu_windows"] = {
                "load": cpu_window(cpu_load_start, cpu_load_end, t0, t_driver_end, pg_load_start, pg_load_end),
                "load_and_drain": cpu_window(cpu_load_start, cpu_drained, t0, t_drained, pg_load_start, pg_drained)}
            result["cpu_percent_per_10s"] = {
                "from": t0, "to": t_driver_end, "step_s": 10.0,
                "by_role": cpu_percent_series(stack.cpu_series_snapshot(), t0, t_driver_end)}
            result["top_statements"] = [
                {"query": q[:300], "calls": calls, "total_ms": round(total, 1), "mean_ms": round(mean, 3), "rows": rows,
                 "plan_ms": round(plan, 1)}
                for q, calls, total, mean, rows, plan in conn.execute(
                    "SELECT query, calls, total_exec_time, mean_exec_time, rows, total_plan_time FROM pg_stat_statements "
                    "ORDER BY total_exec_time + total_plan_time DESC LIMIT 20")]
            # Planning apart from execution: a session that plans every call spends a share there.
            result["statement_totals"] = dict(zip(("calls", "exec_ms", "plan_ms"), (
                round(float(v or 0), 1) for v in conn.execute(
                    "SELECT sum(calls), sum(total_exec_time), sum(total_plan_time) FROM pg_stat_statements").fetchone())))
            result["seq_scans"] = {name: [seq, seq_rows, idx] for name, seq, seq_rows, idx in conn.execute(
                "SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0) FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 8")}
        verdict = invariants.check(snap, profile.limit)
        if not drained:
            verdict.violate("run did not drain", drain_state)
        layout = stack.instance_layout()
        start = int(t0) - 5
        result["instances"] = {
            "initial": dict(stack.initial_instances), "scale_events": bool(profile.scale_events),
            "list": layout, "metric_by_role": dict(METRIC_BY_ROLE),
            "throughput": scraper.throughput(start, int(t_drained) + 2 - start, layout)}
        result["scale_events"] = sorted(injector.scale_events, key=lambda e: e["t"])
        result.update({
            "t0": t0, "t_driver_end": t_driver_end, "t_load_end": t_load_end, "t_drained": t_drained, "drained": drained, "drain_state": drain_state,
            "drain_s": round(t_drained - t_load_end, 1), "changes_committed": len(driver.changes),
            "changes_offered": int(profile.rate * profile.duration),
            "driver_lag_s": round(driver.finished - t0 - profile.duration, 2),
            "driver_errors": len(driver.errors), "faults": sorted(injector.timeline, key=lambda e: e["start"]),
            "invariant": verdict.as_dict(), "peak_rss_kib": dict(stack.peak_rss),
            "peak_rss_kib_by_instance": dict(stack.peak_rss_by_instance),
            "unexpected_exits": result.get("unexpected_exits", []) + [
                {"role": stack.instances[i].role, "instance": i, "code": c} for i, c in stack.dead_services().items()],
        })
        result["analysis"] = analysis.analyse(snap, driver, workload, result)
        # CPU per notification, in two windows: the load (as the figure), and the load with its drain.
        result["cpu"] = result["analysis"].pop("cpu", {})
        result.pop("cpu_windows", None)
        result["cpu_ms_per_notification"] = result["cpu"].get("load", {}).get("ms_per_notification")
        acceptance = result["analysis"].get("scale_acceptance")
        if acceptance and not acceptance["ok"]:
            verdict.violate("repeated sends beyond the scaling acceptance", acceptance["problems"])
            result["invariant"] = verdict.as_dict()
        log(f"{name}: {verdict.summary()}")
        for line in analysis.summary_lines(result):
            log(f"{name}: {line}")
    except Exception as error:
        result["error"] = repr(error)
        log(f"{name}: ERROR {error!r}")
        raise
    finally:
        if scraper is not None:
            scraper.stop()
        if listener is not None:
            listener.stop()
        logs_to = os.path.join(out_dir, f"{name}-logs")
        try:
            if result.get("error") or not result.get("invariant", {}).get("ok", False):
                shutil.copytree(stack.logs, logs_to, dirs_exist_ok=True)
                result["logs"] = logs_to
        except Exception:
            pass
        stack.close()
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(result, f, indent=1, default=str)
    return result
