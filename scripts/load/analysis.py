"""Latency, throughput and backlog of one run, from the snapshot and the driver's record."""
import bisect
import collections
import datetime as dt

from . import recovery
from .inbox_listener import CLIENT_NAME as LISTENER_CLIENT
from .invariants import IN_APP, attribute_repeats, message_id_delivery, repeated_sends, scale_acceptance


def ts(value):
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def percentiles(values):
    if not values:
        return {"n": 0}
    s = sorted(values)

    def q(p):
        return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]
    return {"n": len(s), "p50": q(50), "p95": q(95), "p99": q(99), "max": s[-1], "mean": sum(s) / len(s)}


def downsample(values, points=400):
    s = sorted(values)
    if len(s) <= points:
        return s
    return [s[int(i * (len(s) - 1) / (points - 1))] for i in range(points)]


def analyse(snap, driver, workload, result):
    pool = set(workload.pool)
    occurred = {}
    by_case = collections.defaultdict(list)
    for f in snap["firings"]:
        data = f.get("event_data") or {}
        t = ts(data["occurred_at"]) if data.get("occurred_at") else ts(f["created_at"])
        occurred[f["event_id"]] = t
        if f["event_type"] == "status_change" and f["sag_id"] in pool:
            by_case[f["sag_id"]].append((t, f["event_id"]))
    change_event = {}
    for sag, items in by_case.items():
        for k, (_, event) in enumerate(sorted(items), start=1):
            change_event[(sag, k)] = event
    status_events = set(change_event.values())
    deferred = {(x["event_id"], x["channel"]) for x in snap["logs"] if x["status"] == "deferred"}

    latency = {"email": [], "webhook": [], "inbox": []}  # webhook: see below
    first_email = {}
    for rec in snap["smtp"]:
        if rec.get("message_id") and rec["message_id"] not in first_email:
            first_email[rec["message_id"]] = rec["t"]
    for message_id, t in first_email.items():
        event, _, channel = message_id_delivery(message_id)
        if event in status_events and (event, "email") not in deferred:
            latency["email"].append((t - occurred[event]) * 1000)
    fired_at = {x["event_id"]: ts(x["created_at"]) for x in snap["logs"] if x["status"] == "fired"}
    seen_posts = set()
    ambiguous = 0
    for rec in snap["http"]:
        if 200 <= rec["status"] < 300 and rec.get("change") is not None:
            key = (rec["sag"], rec["change"], rec.get("channel"))
            event = change_event.get((rec["sag"], rec["change"]))
            if event is None or key in seen_posts or (event, "mattermost") in deferred:
                continue
            # The post names the case title the dispatcher read; when the
            # dispatcher decided after the case's next change, the title may
            # belong to that later change: such a post is left out.
            following = change_event.get((rec["sag"], rec["change"] + 1))
            if following is not None and fired_at.get(event, 0) >= occurred[following]:
                ambiguous += 1
                continue
            seen_posts.add(key)
            latency["webhook"].append((rec["t"] - occurred[event]) * 1000)
    # The webhook's clock: the Mattermost worker records the delivery right
    # after the 2xx (deliveries.updated_at, clock_timestamp()). The sink's own
    # receipt times can only be matched to a change through the case title,
    # which under overload may name a later change; they are kept as a check
    # (webhook_sink) over the posts that match unambiguously.
    latency["webhook_sink"] = latency.pop("webhook")
    latency["webhook"] = []
    for d in snap["deliveries"]:
        event = d["delivery_id"][:36]
        if d["channel"] == "mattermost" and d["status"] == "sent" and event in status_events \
                and (event, "mattermost") not in deferred:
            latency["webhook"].append((ts(d["updated_at"]) - occurred[event]) * 1000)
    # In-app: the row is there for a reader when the dispatcher's transaction
    # commits, which is when the listener heard its insert (inbox_listener.py).
    # The row's own created_at is the decision inside that transaction; that
    # earlier moment is kept beside it as inbox_decision.
    visible = snap.get("inbox_visible") or {}
    latency["inbox_decision"] = []
    for row in snap["inbox"]:
        event = row["delivery_id"][:36]  # the firing; the inbox's own event_id is not it
        if event in status_events:
            latency["inbox_decision"].append((ts(row["created_at"]) - occurred[event]) * 1000)
            if row.get("id") in visible:
                latency["inbox"].append((visible[row["id"]] - occurred[event]) * 1000)

    # Where the time goes: change → the dispatcher's decision (trigger, outbox,
    # relay, broker, dispatcher transaction), then decision → the worker's
    # record of the outcome (outbox, relay, broker, worker: send and record);
    # the in-app channel has no worker, so no stage after the decision.
    stages = collections.defaultdict(list)
    decided = {}
    for x in snap["logs"]:
        if x["status"] == "fired" and x["event_id"] in status_events:
            decided[x["event_id"]] = ts(x["created_at"])
            stages["change → dispatcher decision"].append((decided[x["event_id"]] - occurred[x["event_id"]]) * 1000)
    for row in snap["inbox"]:
        event = row["delivery_id"][:36]
        if event in decided and row.get("id") in visible:
            stages["decision → inbox row visible (commit)"].append((visible[row["id"]] - decided[event]) * 1000)
    for d in snap["deliveries"]:
        event = d["delivery_id"][:36]
        channel = d["channel"]
        if channel == IN_APP:
            continue
        if event in decided and (event, channel) not in deferred and d["status"] == "sent" and d.get("created_at"):
            stages[f"decision → {channel} worker claims it"].append((ts(d["created_at"]) - decided[event]) * 1000)
    # The hops in between, from the outbox: when each message was published.
    fired_published, delivery_published = {}, {}
    for row in snap.get("published", []):
        if row["topic"].endswith("reminders.fired"):
            fired_published[row["event_id"]] = ts(row["published_at"])
        elif row.get("delivery_id"):
            delivery_published[row["delivery_id"]] = (ts(row["created_at"]), ts(row["published_at"]))
    for event, t in fired_published.items():
        if event in status_events:
            stages["1 change → relay published the firing"].append((t - occurred[event]) * 1000)
            if event in decided:
                stages["2 firing published → dispatcher decision"].append((decided[event] - t) * 1000)
    for d in snap["deliveries"]:
        event = d["delivery_id"][:36]
        pub = delivery_published.get(d["delivery_id"])
        if pub and d["channel"] != IN_APP and event in decided and (event, d["channel"]) not in deferred and d["status"] == "sent":
            stages[f"3 decision → relay published the {d['channel']} delivery"].append((pub[1] - decided[event]) * 1000)
            stages[f"4 {d['channel']} delivery published → worker recorded it"].append((ts(d["created_at"]) - pub[1]) * 1000)
    # Scheduler lateness of the time_based reminders that came due during the run.
    for f in snap["firings"]:
        due = workload.reminders.get(f["reminder_id"], {}).get("scheduled_at")
        if f["event_type"] == "time_based" and due is not None:
            stages["scheduler lateness (time_based)"].append((occurred[f["event_id"]] - ts(due)) * 1000)

    out = {"latency_ms": {k: percentiles(v) for k, v in latency.items()},
           "stages_ms": {k: percentiles(v) for k, v in stages.items()},
           "latency_cdf_ms": {k: downsample(v) for k, v in latency.items()},
           "ambiguous_posts": ambiguous,
           "unmatched_changes": sum(1 for c in driver.changes if (c[1], c[2]) not in change_event)}

    # Per-second series, from 5 s before the load to the end of the drain.
    t0, t_end = result["t0"], result["t_drained"]
    start = int(t0) - 5
    bins = int(t_end) + 2 - start

    def series(times):
        counts = [0] * bins
        for t in times:
            i = int(t) - start
            if 0 <= i < bins:
                counts[i] += 1
        return counts

    changes = [c[0] for c in driver.changes if c[0] is not None]
    firings_created = [ts(f["created_at"]) for f in snap["firings"]]
    dispatched_rows = [x for x in snap["logs"] if x["status"] == "dispatched"]
    email_t = [r["t"] for r in snap["smtp"]]
    post_t = [r["t"] for r in snap["http"] if 200 <= r["status"] < 300]
    inbox_t = [ts(r["created_at"]) for r in snap["inbox"]]
    # Backlog: firings not yet dispatched + deliveries emitted (not deferred) not yet finished.
    # The dispatcher writes a firing's `fired` row in the transaction that handles it.
    fired_done = {x["event_id"]: ts(x["created_at"]) for x in snap["logs"] if x["status"] == "fired"}
    firing_open = sorted(ts(f["created_at"]) for f in snap["firings"])
    firing_close = sorted(fired_done.get(f["event_id"], t_end + 1e6) for f in snap["firings"])
    emitted, finished = [], []
    dispatch_time = {}
    for x in dispatched_rows:
        key = f"user:{x['user_id']}" if x["user_id"] is not None else f"email:{(x['recipient_email'] or '').lower()}"
        dispatch_time[(x["event_id"], key)] = ts(x["created_at"])
    for d in snap["deliveries"]:
        event, rest = d["delivery_id"].split(":", 1)
        recipient, channel = rest.rsplit(":", 1)
        if (event, channel) in deferred:
            continue
        t_emit = dispatch_time.get((event, recipient))
        if t_emit is None:
            continue
        emitted.append(t_emit)
        finished.append(ts(d["updated_at"]) if d["status"] in ("sent", "dry_run", "skipped", "dead") else t_end + 1e6)
    emitted.sort(); finished.sort()
    backlog = []
    for i in range(bins):
        t = start + i + 1
        open_firings = bisect.bisect_right(firing_open, t) - bisect.bisect_right(firing_close, t)
        open_deliveries = bisect.bisect_right(emitted, t) - bisect.bisect_right(finished, t)
        backlog.append(open_firings + open_deliveries)
    # Firing × recipient pairs the dispatcher decided, whatever it decided:
    # each pair has at least one log row naming the recipient (dispatched,
    # skipped, rate limited, or only per-channel skips when the preferences
    # leave no channel with an address). A notification is a dispatched pair.
    pair_decided = {}
    for x in snap["logs"]:
        if x["status"] in ("dispatched", "skipped", "rate_limited", "deferred") and x["event_id"] \
                and (x["user_id"] is not None or x["recipient_email"]):
            key = (x["event_id"], x["user_id"] if x["user_id"] is not None else (x["recipient_email"] or "").lower())
            t = ts(x["created_at"])
            if t < pair_decided.get(key, float("inf")):
                pair_decided[key] = t
    out["series"] = {
        "start": start, "changes": series(changes), "firings": series(firings_created),
        "recipient_pairs": series(pair_decided.values()),
        "notifications": series([ts(x["created_at"]) for x in dispatched_rows]),
        "email": series(email_t), "webhook": series(post_t), "inbox": series(inbox_t), "backlog": backlog,
        "webhook_errors": series([r["t"] for r in snap["http"] if not 200 <= r["status"] < 300]),
    }
    # Steady window: from 20 % into the load to its end.
    w0 = int(t0 + 0.2 * (result["t_load_end"] - t0)) - start
    w1 = int(result["t_load_end"]) - start
    span = max(1, w1 - w0)
    s = out["series"]
    out["steady"] = {
        "window_s": span,
        "changes_per_s": sum(s["changes"][w0:w1]) / span,
        "firings_per_s": sum(s["firings"][w0:w1]) / span,
        "recipient_pairs_per_s": sum(s["recipient_pairs"][w0:w1]) / span,
        "notifications_per_s": sum(s["notifications"][w0:w1]) / span,
        "channel_deliveries_per_s": (sum(s["email"][w0:w1]) + sum(s["webhook"][w0:w1]) + sum(s["inbox"][w0:w1])) / span,
        "email_per_s": sum(s["email"][w0:w1]) / span, "webhook_per_s": sum(s["webhook"][w0:w1]) / span,
        "inbox_per_s": sum(s["inbox"][w0:w1]) / span,
        "backlog_start": s["backlog"][w0] if w0 < bins else None,
        "backlog_end": s["backlog"][w1 - 1] if 0 < w1 <= bins else None,
        "backlog_max": max(s["backlog"]) if s["backlog"] else 0,
    }
    out["steady"]["peak_1s"] = {k: max(s[k]) if s[k] else 0 for k in ("notifications", "email", "webhook", "inbox", "firings")}
    published = snap.get("published_per_s") or []
    out["steady"]["peak_1s"]["outbox_published"] = max((int(x["n"]) for x in published), default=0)
    xs = list(range(w0, w1))
    ys = s["backlog"][w0:w1]
    offered = (result.get("profile") or {}).get("rate")
    out["steady"]["offered_changes_per_s"] = offered
    out["steady"]["backlog_slope_per_s"] = None
    out["steady"]["backlog_slope_fraction_of_offered"] = None
    if len(xs) > 2:
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0
        out["steady"]["backlog_slope_per_s"] = slope
        # The backlog counts firings and channel deliveries; the offered rate is status changes/s.
        out["steady"]["backlog_slope_fraction_of_offered"] = slope / offered if offered else None

    # Recovery: from each fault's end to the first delivery at each affected channel's sink.
    out["recovery"] = recovery.fault_recoveries(result.get("faults", []), arrivals(snap, change_event, fired_at, occurred),
                                                load_end=result.get("t_driver_end"))

    # Repeated sends, attributed to the fault or scale event that came last before each repeat.
    attribution = attribute_repeats(repeated_sends(snap), result.get("faults", []), result.get("scale_events", []))
    out["repeats"] = attribution["per_event"]
    out["repeats_by_kind"] = attribution["by_kind"]
    if result.get("scale_events"):
        out["repeats_per_scale_event"] = attribution["per_scale_event"]
        out["scale_acceptance"] = scale_acceptance(attribution)

    # CPU per notification: the stack's CPU time in a window over the
    # notifications (dispatched (firing, recipient) pairs, as counted above) made in it.
    dispatched_t = sorted(ts(x["created_at"]) for x in dispatched_rows)
    decisions_t = sorted(ts(x["created_at"]) for x in snap["logs"]
                         if x["channel"] is None and x["status"] in ("dispatched", "rate_limited", "skipped"))
    if result.get("cpu_windows"):
        out["cpu"] = cpu_cost(result["cpu_windows"], dispatched_t, decisions_t)

    # Per-instance throughput over the steady window (from the scraped counters).
    throughput = (result.get("instances") or {}).get("throughput")
    if throughput and throughput.get("series"):
        a0 = int(t0 + 0.2 * (result["t_load_end"] - t0)) - throughput["start"]
        a1 = int(result["t_load_end"]) - throughput["start"]
        per_instance = {}
        for name, values in throughput["series"].items():
            window = [v for v in values[max(0, a0):max(0, a1)] if v is not None]
            per_instance[name] = round(sum(window) / max(1, a1 - a0), 2) if window else None
        out["steady"]["per_instance_per_s"] = per_instance
    return out


def earliest(times):
    """The smallest of some times, or None if there are none or one is unknown."""
    times = list(times)
    return None if not times or None in times else min(times)


def arrivals(snap, change_event, fired_at, occurred):
    """Every delivery at a sink, per channel, as recovery.Arrival: its arrival
    time (the SMTP sink's receipt, the webhook sink's receipt of a request it
    answered 2xx, the inbox row's `created_at`), when the dispatcher decided
    its firing and when the relay published its delivery, or for an inbox
    row (written by the dispatcher, no delivery message) its firing (None
    where unknown)."""
    published, firing_published = {}, {}
    for row in snap.get("published", []):
        if row.get("delivery_id"):
            published[row["delivery_id"]] = ts(row["published_at"])
        elif row["topic"].endswith("reminders.fired"):
            firing_published[row["event_id"]] = ts(row["published_at"])
    post_published = {}  # event → its Mattermost deliveries' earliest publication (a post names no recipient)
    for delivery_id, t in published.items():
        if delivery_id.endswith(":mattermost"):
            event = delivery_id[:36]
            post_published[event] = min(post_published.get(event, t), t)
    out = {channel: [] for channel in recovery.CHANNELS}
    for rec in snap["smtp"]:
        decided = sent = None
        if rec.get("message_id"):
            event, recipient, channel = message_id_delivery(rec["message_id"])
            decided = fired_at.get(event)
            sent = published.get(f"{event}:{recipient}:{channel}")
        out["email"].append(recovery.Arrival(rec["t"], decided, sent))
    for rec in snap["http"]:
        if 200 <= rec["status"] < 300:
            # A post names the case title the dispatcher read: that of its own
            # change or, when the change before it was decided only after this
            # one was made, possibly that later title (see the webhook latency
            # above). Both are candidates and the earliest times count, so a
            # post is never taken for newer than it is.
            candidates = []
            if rec.get("change") is not None:
                named = change_event.get((rec.get("sag"), rec["change"]))
                previous = change_event.get((rec.get("sag"), rec["change"] - 1))
                if named is not None:
                    candidates.append(named)
                    if previous is not None and fired_at.get(previous, 0) >= occurred.get(named, 0):
                        candidates.append(previous)
            out["webhook"].append(recovery.Arrival(rec["t"], earliest(fired_at.get(e) for e in candidates),
                                                   earliest(post_published.get(e) for e in candidates)))
    for row in snap["inbox"]:
        event = row["delivery_id"][:36]
        out["inbox"].append(recovery.Arrival(ts(row["created_at"]), fired_at.get(event), firing_published.get(event)))
    return out


# The stack whose CPU a notification costs: PostgreSQL, the broker and every
# service instance; not the sinks nor the driver (this Python process), nor
# the PostgreSQL backend of the harness's inbox listener.
NOT_THE_STACK = ("sinks",)


def cpu_cost(windows, dispatched_t, decisions_t=()):
    """windows: {name: {"from": t, "to": t, "seconds_by_role": {...}, ...}}.
    Adds to each: the stack's CPU ms, the notifications made in it and the
    CPU ms per notification; returns them."""
    out = {}
    for name, w in windows.items():
        stack_s = sum(v for role, v in w["seconds_by_role"].items() if role not in NOT_THE_STACK)
        stack_s -= w.get("postgres_seconds_by_client", {}).get(LISTENER_CLIENT, 0.0)
        n = bisect.bisect_left(dispatched_t, w["to"]) - bisect.bisect_left(dispatched_t, w["from"])
        decisions = bisect.bisect_left(decisions_t, w["to"]) - bisect.bisect_left(decisions_t, w["from"])
        out[name] = dict(w, stack_cpu_ms=round(stack_s * 1000, 1), notifications=n, recipient_decisions=decisions,
                         ms_per_notification=round(stack_s * 1000 / n, 4) if n else None,
                         not_counted=list(NOT_THE_STACK) + ["the load driver", LISTENER_CLIENT])
    return out


def summary_lines(result):
    a = result.get("analysis", {})
    lines = []
    for channel, p in a.get("latency_ms", {}).items():
        if p.get("n"):
            lines.append(f"latency {channel}: n={p['n']} p50={p['p50']:.1f} ms p95={p['p95']:.1f} ms p99={p['p99']:.1f} ms max={p['max']:.1f} ms")
    st = a.get("steady", {})
    if st:
        pairs = f" of {st['recipient_pairs_per_s']:.0f} firing × recipient pairs decided/s" if "recipient_pairs_per_s" in st else ""
        lines.append(f"steady: {st['changes_per_s']:.0f} changes/s, {st['notifications_per_s']:.0f} notifications/s{pairs}, "
                     f"{st['channel_deliveries_per_s']:.0f} channel deliveries/s; backlog {st['backlog_start']}→{st['backlog_end']} "
                     f"(max {st['backlog_max']}, slope {(st.get('backlog_slope_per_s') or 0):.1f}/s); drain {result.get('drain_s')} s")
    lines.extend(recovery.summary_lines(a.get("recovery", [])))
    if a.get("repeats"):
        lines.append("repeated sends: " + ", ".join(f"{r['fault']} {r['channel']}: {r['count']}" for r in a["repeats"]))
    if a.get("scale_acceptance"):
        acceptance = a["scale_acceptance"]
        lines.append("scale events: " + ", ".join(f"{e['event']} ({e['repeats']} repeated)" for e in a.get("repeats_per_scale_event", []))
                     + ("; acceptance met" if acceptance["ok"] else "; acceptance NOT met: " + "; ".join(acceptance["problems"])))
    if st.get("per_instance_per_s"):
        lines.append("steady per instance/s: " + ", ".join(f"{k} {v:.0f}" if v is not None else f"{k} —"
                                                          for k, v in st["per_instance_per_s"].items()))
    load = result.get("cpu", {}).get("load")
    if load:
        per = load.get("ms_per_notification")
        lines.append(f"CPU over the load: {load['stack_cpu_ms'] / 1000:.1f} s for {load['notifications']} notifications = "
                     + (f"{per:.2f} ms per notification" if per is not None else "— per notification") + " ("
                     + ", ".join(f"{k} {v:.1f}" for k, v in load["seconds_by_role"].items()) + " s)")
        if load.get("postgres_seconds_by_client"):
            lines.append("PostgreSQL by client over the load: "
                         + ", ".join(f"{k} {v:.1f}" for k, v in load["postgres_seconds_by_client"].items() if v >= 0.05) + " s")
    per_10s = result.get("cpu_percent_per_10s", {}).get("by_role", {})
    if per_10s:
        lines.append("CPU per 10 s over the load, % of one core: " + "; ".join(
            f"{role} " + " ".join("—" if v is None else f"{v:.0f}" for v in values) for role, values in per_10s.items()))
    lines.append("peak RSS MiB: " + ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(result.get("peak_rss_kib", {}).items())))
    return lines
