"""The invariant of a load run, checked from the database and the sinks.

`load_snapshot()` reads everything the check needs into plain Python data;
`check()` is pure, so it can be tested on hand-made (and deliberately
broken) data sets.

The invariant:
  1. every firing was logged `fired` once and left the queue (not pending);
  2. every (firing, recipient, channel) it should reach has exactly one
     outcome: rate_limited or skipped for the recipient, skipped for the
     channel, or a delivery whose row and log end in exactly one of sent,
     dry_run, skipped, failed (dead) — or, for a quiet-hours deferral whose
     release time has not come, a held outbox row;
     and the channels chosen are those the preferences and reminder flags give;
  3. no duplicate log rows (one row per event, recipient, channel, outcome);
  4. no recipient got more than the limit of notifications in any 60 minutes,
     and nobody was rate limited below the limit;
     held digests (REMINDERS_HELD_DIGEST) count as one notification each, carry
     only items that were rate limited, and each is delivered like any other;
     every `escalated` step row has its escalation firing and each escalation
     firing its step row (a step fires once); no firing of a reminder after
     the case completed it and before it was re-armed;
  5. nothing in flight: no due unpublished outbox row, no pending firing, no
     delivery still retrying;
  6. the sinks agree: every e-mail recorded sent arrived (by Message-ID), every
     sent Mattermost post arrived (counted per case). Extra copies at the sinks
     are repeated sends: they are counted (and attributed to faults), not
     violations;
  7. in-app notifications have no worker: the dispatcher (or the scheduler's
     held-digest path) writes the delivery row (sent, or skipped for a stopped
     reminder), its log row and its inbox row with its decision. Every sent
     one has exactly one inbox row and every inbox row a sent in-app delivery;
     the log and inbox rows carry the decision's time (the `dispatched` row's);
     no outbox row is ever written for the in-app channel.

`repeated_sends()` finds those extra copies and `attribute_repeats()` gives
each to the fault or scale event (join, SIGTERM, SIGKILL of an instance)
before it; `scale_acceptance()` is the scaling rule: no repeat from a join or
a SIGTERM, at most one per SIGKILL.
"""
import collections
import datetime as dt
import json
import os

FINAL_DELIVERY = {"sent", "dry_run", "skipped", "dead"}
FINAL_LOG = {"sent", "dry_run", "skipped", "failed"}
CHANNELS = ("email", "frontend", "mattermost")
USER_DEFAULTS = {"email": False, "mattermost": True, "frontend": True}
# The in-app channel (a name for preferences, log rows and statistics; no
# worker and no delivery topic of its own any more).
IN_APP = "frontend"
IN_APP_TOPIC = "reminders.deliver.frontend"


def expected_channels(prefs, flags, override, bare_address=False):
    """The channels ChannelPreferences gives, restated independently."""
    if bare_address:
        return set() if flags.get("email") is False else {"email"}
    chosen = set()
    for channel in CHANNELS:
        user_wants = USER_DEFAULTS[channel] if prefs is None else prefs.get(f"notify_{channel}", USER_DEFAULTS[channel])
        flag = flags.get(channel)
        if flag is None:
            wanted = user_wants
        else:
            wanted = flag if override else (flag and user_wants)
        if wanted:
            chosen.add(channel)
    return chosen


def recipient_key(user_id, email):
    return f"user:{user_id}" if user_id is not None else f"email:{(email or '').lower()}"


def delivery_parts(delivery_id):
    """`<event>:user:42:frontend` → (event id, 'user:42', 'frontend'); a held
    digest's `digest:<event>:user:42:email` → ('digest:<event>', 'user:42', 'email')."""
    prefix = ""
    if delivery_id.startswith("digest:"):
        prefix, delivery_id = "digest:", delivery_id[len("digest:"):]
    recipient, _, channel = delivery_id[37:].rpartition(":")
    return prefix + delivery_id[:36], recipient, channel


def message_id_delivery(message_id):
    """`reminder.<event>.user.42.email@host` → (event id, 'user:42', 'email')."""
    local = message_id.split("@", 1)[0]
    if local.startswith("reminder."):
        local = local[len("reminder."):]
    prefix = ""
    if local.startswith("digest."):
        # A held digest: `digest.<digest event>.user.42.email`.
        prefix, local = "digest:", local[len("digest."):]
    event = prefix + local[:36]
    rest = local[37:]
    channel = rest.rsplit(".", 1)[-1]
    recipient = rest[: -(len(channel) + 1)].replace(".", ":", 1)
    return event, recipient, channel


class Result:
    def __init__(self):
        self.violations = collections.defaultdict(list)
        self.stats = collections.Counter()
        self.notes = []

    def violate(self, kind, example):
        self.violations[kind].append(example)

    @property
    def ok(self):
        return not self.violations

    def summary(self, examples=3):
        lines = []
        for kind, items in sorted(self.violations.items()):
            lines.append(f"VIOLATION {kind}: {len(items)} (e.g. {items[:examples]})")
        return "\n".join(lines) if lines else "invariant holds"

    def as_dict(self):
        return {"ok": self.ok, "violations": {k: {"count": len(v), "examples": [str(x) for x in v[:5]]}
                                               for k, v in self.violations.items()},
                "stats": dict(self.stats), "notes": self.notes}


def check(snap, limit, now=None):
    """snap: dict with lists `firings`, `logs`, `deliveries`, `inbox`, `held`
    (unpublished outbox rows: delivery_id, available_at, topic), `smtp`,
    `http`, dicts `reminders`, `users` and (optional) `outbox_topics` (every
    outbox row's topic: count); `now` defaults to snap['now']."""
    r = Result()
    now = now or snap["now"]
    reminders, users = snap["reminders"], snap["users"]

    logs_by_event = collections.defaultdict(list)
    for row in snap["logs"]:
        logs_by_event[row["event_id"]].append(row)
    deliveries = {d["delivery_id"]: d for d in snap["deliveries"]}
    final_logs = collections.defaultdict(list)   # delivery id -> final log rows
    for row in snap["logs"]:
        key = row.get("dedupe_key") or ""
        if key.startswith("deliver:"):
            delivery_id = key[len("deliver:"):].rsplit(":", 2)[0]
            if row["status"] in FINAL_LOG:
                final_logs[delivery_id].append(row)
    held = {h["delivery_id"]: h for h in snap["held"] if h.get("delivery_id")}

    # 3. duplicates: one row per (event, recipient, channel, outcome, attempt).
    # Rows about a reminder or a step rather than a recipient (completed, rearmed,
    # escalated, a step's stop) are kept single by their dedupe keys.
    seen = collections.Counter()
    for row in snap["logs"]:
        if row["status"] in ("snoozed", "dismissed", "acknowledged", "replayed", "completed", "rearmed", "escalated",
                             "escalation_stopped"):
            continue
        seen[(row["event_id"], row["user_id"], (row["recipient_email"] or "").lower(), row["channel"], row["status"],
              row.get("attempt", 0))] += 1
    for key, count in seen.items():
        if count > 1:
            r.violate("duplicate log rows", (key, count))
    dedupe = collections.Counter(row.get("dedupe_key") for row in snap["logs"] if row.get("dedupe_key"))
    for key, count in dedupe.items():
        if count > 1:
            r.violate("duplicate dedupe keys", key)

    expected_deliveries = set()
    for firing in snap["firings"]:
        event = firing["event_id"]
        r.stats["firings"] += 1
        r.stats[f"firings.{firing['event_type']}"] += 1
        rows = logs_by_event.get(event, [])
        fired = [x for x in rows if x["status"] == "fired"]
        if len(fired) != 1:
            r.violate("firing not logged fired exactly once", (event, len(fired)))
        if firing["status"] in ("pending", "processing"):
            r.violate("firing still queued", (event, firing["status"]))
        reminder = reminders.get(firing["reminder_id"])
        if reminder is None:
            r.violate("firing of an unknown reminder", event)
            continue
        flags = reminder["flags"]
        if firing["event_type"] == "escalation":
            # The step's channels stand in for the reminder's flags.
            step_channels = set((firing.get("event_data") or {}).get("channels") or [])
            flags = {channel: channel in step_channels for channel in CHANNELS}
        if firing.get("recipient_user_id") is not None:
            recipients = [(f"user:{firing['recipient_user_id']}", firing["recipient_user_id"], None)]
        else:
            recipients, keys = [], set()
            for uid in reminder["users"]:
                if f"user:{uid}" not in keys:
                    keys.add(f"user:{uid}"); recipients.append((f"user:{uid}", uid, None))
            for address in reminder["emails"]:
                key = f"email:{address.strip().lower()}"
                if address.strip() and key not in keys:
                    keys.add(key); recipients.append((key, None, address.strip().lower()))
        by_recipient = collections.defaultdict(list)
        for x in rows:
            if x["status"] != "fired":
                by_recipient[recipient_key(x["user_id"], x["recipient_email"]) if (x["user_id"] is not None or x["recipient_email"]) else None].append(x)
        extra = set(by_recipient) - {k for k, _, _ in recipients} - {None}
        for key in extra:
            r.violate("outcome for someone not a recipient", (event, key))
        for key, uid, address in recipients:
            r.stats["recipient notifications planned"] += 1
            mine = by_recipient.get(key, [])
            level = [x for x in mine if x["channel"] is None and x["status"] in ("dispatched", "rate_limited", "skipped")]
            channel_skips = {x["channel"] for x in mine if x["channel"] is not None and x["status"] == "skipped"
                             and not (x.get("dedupe_key") or "").startswith("deliver:")}
            deferred = {x["channel"] for x in mine if x["status"] == "deferred"}
            if uid is not None:
                user = users.get(uid)
                want = expected_channels(user["prefs"] if user else None, flags, reminder["override"])
            else:
                want = expected_channels(None, flags, reminder["override"], bare_address=True)
            if len(level) > 1:
                r.violate("more than one decision for a recipient", (event, key, [x["status"] for x in level]))
                continue
            if not level:
                # Only legitimate when every wanted channel was skipped for itself.
                if want and channel_skips == want:
                    for channel in want:
                        r.stats[f"outcome.{channel}.skipped"] += 1
                    continue
                r.violate("recipient without an outcome", (event, key))
                continue
            decision = level[0]["status"]
            r.stats[f"decision.{decision}"] += 1
            if decision in ("rate_limited", "skipped"):
                if decision == "skipped" and want:
                    r.violate("skipped although channels were wanted", (event, key, level[0]["reason"], sorted(want)))
                for channel in want:
                    r.stats[f"outcome.{channel}.{decision}"] += 1
                continue
            if not want:
                r.violate("dispatched although no channel was wanted", (event, key))
            reason = level[0].get("reason") or ""
            dispatched = set(c.strip() for c in reason.split(":", 1)[1].split(",")) if ":" in reason else set()
            if dispatched | channel_skips != want or dispatched & channel_skips:
                r.violate("channels differ from preferences", (event, key, sorted(dispatched), sorted(channel_skips), sorted(want)))
            for channel in channel_skips:
                r.stats[f"outcome.{channel}.skipped"] += 1
            for channel in dispatched:
                delivery_id = f"{event}:{key}:{channel}"
                expected_deliveries.add(delivery_id)
                d = deliveries.get(delivery_id)
                finals = final_logs.get(delivery_id, [])
                if d is None:
                    h = held.get(delivery_id)
                    if h is not None and channel in deferred and h["available_at"] > now:
                        r.stats[f"outcome.{channel}.deferred (held)"] += 1
                        continue
                    r.violate("dispatched delivery without an outcome", delivery_id)
                    continue
                if d["status"] not in FINAL_DELIVERY:
                    r.violate("delivery not finished", (delivery_id, d["status"]))
                    continue
                if len(finals) != 1:
                    r.violate("delivery without exactly one final log row", (delivery_id, [x["status"] for x in finals]))
                    continue
                expected_log = "failed" if d["status"] == "dead" else d["status"]
                if finals[0]["status"] != expected_log:
                    r.violate("delivery row and log disagree", (delivery_id, d["status"], finals[0]["status"]))
                label = "failed" if d["status"] == "dead" else d["status"]
                if channel in deferred:
                    r.stats[f"outcome.{channel}.deferred then {label}"] += 1
                else:
                    r.stats[f"outcome.{channel}.{label}"] += 1
    check_digests(snap, r, deliveries, final_logs, held, expected_deliveries, now)
    check_escalations(snap, r)
    check_completions(snap, r)
    for delivery_id in deliveries:
        if delivery_id not in expected_deliveries:
            r.violate("delivery nobody dispatched", delivery_id)

    # 4. rate limit in every rolling 60 minutes; and only at the limit.
    window = dt.timedelta(minutes=60)
    dispatched_at = collections.defaultdict(list)
    for row in snap["logs"]:
        if row["status"] == "dispatched":
            dispatched_at[recipient_key(row["user_id"], row["recipient_email"])].append(row["created_at"])
    for key, times in dispatched_at.items():
        times.sort()
        start = 0
        for end, t in enumerate(times):
            while times[start] <= t - window:
                start += 1
            if end - start + 1 > limit:
                r.violate("rate limit exceeded", (key, end - start + 1, t.isoformat()))
                break
    for row in snap["logs"]:
        if row["status"] == "rate_limited" and row["channel"] is None:
            key = recipient_key(row["user_id"], row["recipient_email"])
            before = [t for t in dispatched_at.get(key, []) if row["created_at"] - window < t <= row["created_at"]]
            if len(before) < limit:
                r.violate("rate limited below the limit", (key, len(before), row["created_at"].isoformat()))
    r.stats["rate limited recipients"] = sum(1 for row in snap["logs"] if row["status"] == "rate_limited" and row["channel"] is None)

    # 5. nothing in flight.
    for h in snap["held"]:
        if h["available_at"] <= now:
            r.violate("due outbox row not published", (h.get("topic"), h.get("delivery_id"), h["available_at"].isoformat()))

    # 6. the sinks.
    received = collections.Counter(x["message_id"] for x in snap["smtp"])
    r.stats["smtp messages received"] = len(snap["smtp"])
    r.stats["smtp repeated sends"] = sum(c - 1 for c in received.values() if c > 1)
    sent_email = {d["message_id"]: d for d in snap["deliveries"] if d["channel"] == "email" and d["status"] == "sent"}
    for message_id, d in sent_email.items():
        if not message_id or received.get(message_id, 0) == 0:
            r.violate("e-mail recorded sent but never arrived", (d["delivery_id"], message_id))
    by_delivery = {}
    for d in snap["deliveries"]:
        by_delivery[d["delivery_id"]] = d
    for message_id in received:
        if message_id in sent_email:
            continue
        event, recipient, channel = message_id_delivery(message_id or "")
        d = by_delivery.get(f"{event}:{recipient}:{channel}")
        # Arrived but recorded otherwise: a crash between the 250 and the
        # commit, then a failure on every later attempt. Counted, not a violation.
        r.stats["e-mails arrived but recorded " + (d["status"] if d else "nothing")] += 1
        if d is None:
            r.violate("e-mail arrived for no known delivery", message_id)
    posts = collections.Counter(x["sag"] for x in snap["http"] if 200 <= x["status"] < 300 and x.get("sag") is not None)
    sent_posts = collections.Counter(d["sag_id"] for d in snap["deliveries"] if d["channel"] == "mattermost" and d["status"] == "sent")
    r.stats["webhook posts answered 2xx"] = sum(posts.values())
    r.stats["webhook posts answered otherwise"] = sum(1 for x in snap["http"] if not 200 <= x["status"] < 300)
    r.stats["webhook repeated sends"] = sum(max(0, posts[s] - sent_posts.get(s, 0)) for s in posts)
    for sag, count in sent_posts.items():
        if posts.get(sag, 0) < count:
            r.violate("Mattermost post recorded sent but never arrived", (sag, count, posts.get(sag, 0)))
    check_in_app(snap, r, by_delivery, final_logs)
    return r


def check_in_app(snap, r, deliveries, final_logs):
    """7. In-app notifications, written by the deciding stage in one
    transaction: once each in the inbox, with their delivery and log rows, at
    the decision's time, and never through the outbox."""
    decided = {}  # (event, recipient) -> the `dispatched` row's time; a digest's event as `digest:<event>`
    for row in snap["logs"]:
        if row["status"] == "dispatched":
            event = ("digest:" if (row.get("dedupe_key") or "").startswith("digest:") else "") + row["event_id"]
            decided[(event, recipient_key(row["user_id"], row["recipient_email"]))] = row["created_at"]
    inbox = collections.defaultdict(list)
    for x in snap["inbox"]:
        inbox[x["delivery_id"]].append(x)
    r.stats["inbox rows"] = len(snap["inbox"])
    for d in snap["deliveries"]:
        if d["channel"] != IN_APP:
            continue
        rows = inbox.get(d["delivery_id"], [])
        if d["status"] not in ("sent", "skipped"):
            # Nothing is sent, so nothing can fail or wait for a retry.
            r.violate("in-app delivery neither sent nor skipped", (d["delivery_id"], d["status"]))
        if d["status"] == "sent" and len(rows) != 1:
            r.violate("in-app delivery without exactly one inbox row", (d["delivery_id"], len(rows)))
        at = decided.get(delivery_parts(d["delivery_id"])[:2])
        if at is None:
            continue  # a delivery nobody dispatched: reported as such
        late = [x["created_at"] for x in final_logs.get(d["delivery_id"], []) + rows if x["created_at"] != at]
        if late:
            r.violate("in-app rows not at their decision's time", (d["delivery_id"], at.isoformat(),
                                                                    [t.isoformat() for t in late]))
    for delivery_id, rows in inbox.items():
        d = deliveries.get(delivery_id)
        if d is None or d["channel"] != IN_APP or d["status"] != "sent" or len(rows) != 1:
            r.violate("inbox row without a sent in-app delivery", delivery_id)
    topics = collections.Counter(snap.get("outbox_topics") or {})
    for h in snap["held"]:
        topics.setdefault(h.get("topic"), 1)
    for topic, count in topics.items():
        if (topic or "").startswith(IN_APP_TOPIC):
            r.violate("outbox rows for the in-app channel", (topic, count))


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def check_digests(snap, r, deliveries, final_logs, held, expected_deliveries, now):
    """Held digests: each is one `dispatched` notification with a delivery on
    each channel it names (an e-mail); each `held` item names its digest and
    was rate limited before."""
    digests = {}
    for row in snap["logs"]:
        if row["status"] == "dispatched" and (row.get("dedupe_key") or "").startswith("digest:"):
            digests[row["event_id"]] = row
    r.stats["held digests"] = len(digests)
    limited = {(row["event_id"], row["user_id"]) for row in snap["logs"]
               if row["status"] == "rate_limited" and row["channel"] is None}
    for row in snap["logs"]:
        if row["status"] != "held":
            continue
        r.stats["held items sent in a digest"] += 1
        digest = (row.get("reason") or "").rsplit(" ", 1)[-1]
        if digest not in digests:
            r.violate("held item without its digest", (row["event_id"], row["user_id"], digest))
        if (row["event_id"], row["user_id"]) not in limited:
            r.violate("held item that was not rate limited", (row["event_id"], row["user_id"]))
    for event, row in digests.items():
        # The channels its row names (`…; channels: email`); an in-app one is
        # written with the digest, like the dispatcher's (see check_in_app).
        reason = row.get("reason") or ""
        channels = {c.strip() for c in reason.split("channels:", 1)[1].split(",")} if "channels:" in reason else {"email"}
        for channel in sorted(channels):
            delivery_id = f"digest:{event}:{recipient_key(row['user_id'], None)}:{channel}"
            expected_deliveries.add(delivery_id)
            d = deliveries.get(delivery_id)
            if d is None:
                h = held.get(delivery_id)
                if h is None or h["available_at"] <= now:
                    r.violate("digest without a delivery", delivery_id)
                continue
            finals = final_logs.get(delivery_id, [])
            if d["status"] not in FINAL_DELIVERY or len(finals) != 1:
                r.violate("digest delivery not finished once", (delivery_id, d["status"], len(finals)))
                continue
            label = "failed" if d["status"] == "dead" else d["status"]
            r.stats[f"outcome.digest.{label}" if channel == "email" else f"outcome.digest.{channel}.{label}"] += 1


def check_escalations(snap, r):
    """A fired step's `escalated` row and the firings it made come together,
    once per step; a stopped step is an `escalation_stopped` row with its reason."""
    fired_steps = collections.Counter()
    per_user = collections.Counter()
    for firing in snap["firings"]:
        if firing["event_type"] == "escalation":
            data = firing.get("event_data") or {}
            fired_steps[(data.get("escalated_event_id"), data.get("escalation_step"))] += 1
            per_user[(data.get("escalated_event_id"), data.get("escalation_step"), firing.get("recipient_user_id"))] += 1
    for key, count in per_user.items():
        if count > 1:
            r.violate("escalation step fired twice for a user", (key, count))
    logged = collections.Counter()
    for row in snap["logs"]:
        key = row.get("dedupe_key") or ""
        if not key.startswith("escalation:"):
            continue
        step = int(key.rsplit(":", 1)[-1])
        if row["status"] == "escalated":
            r.stats["escalated steps"] += 1
            logged[(row["event_id"], step)] += 1
            if (row["event_id"], step) not in fired_steps:
                r.violate("escalated step without its firing", (row["event_id"], step))
        elif row["status"] == "escalation_stopped":
            r.stats["escalation steps stopped"] += 1
            if not (row.get("reason") or "").startswith(f"escalation step {step + 1} stopped: "):
                r.violate("escalation stop without its reason", (row["event_id"], step, row.get("reason")))
    for step in fired_steps:
        if logged.get(step, 0) != 1:
            r.violate("escalation firing without exactly one step row", (step, logged.get(step, 0)))


def check_completions(snap, r):
    """A reminder the case completed fires no more until its case reopens it."""
    spans = collections.defaultdict(list)   # reminder -> [(completed at, rearmed at or None)]
    for row in sorted(snap["logs"], key=lambda x: x["created_at"]):
        if row["status"] == "completed":
            r.stats["completed reminders"] += 1
            if row.get("reason") != "case closed":
                r.violate("completion without its reason", (row.get("reminder_id"), row.get("reason")))
            spans[row.get("reminder_id")].append([row["created_at"], None])
        elif row["status"] == "rearmed":
            r.stats["re-armed reminders"] += 1
            open_spans = [s for s in spans.get(row.get("reminder_id"), []) if s[1] is None]
            if open_spans:
                open_spans[-1][1] = row["created_at"]
    for firing in snap["firings"]:
        if firing["event_type"] not in ("time_based", "deadline_approaching"):
            continue
        for start, end in spans.get(firing["reminder_id"], []):
            if firing["created_at"] > start and (end is None or firing["created_at"] < end):
                r.violate("firing after its reminder was completed", (firing["event_id"], firing["reminder_id"]))


def load_snapshot(conn, workload, sink_dir):
    """Everything check() needs, read after the run drained."""
    def rows(sql):
        cur = conn.execute(sql)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur]

    snap = {
        "now": conn.execute("SELECT now()").fetchone()[0],
        "firings": rows("SELECT event_id::text, reminder_id, sag_id, event_type, status, recipient_user_id, created_at, "
                        "event_data FROM sag_reminder_queue WHERE (recipient_user_id IS NULL AND recipient_email IS NULL) "
                        "OR event_type = 'escalation'"),
        "logs": rows("SELECT id, event_id::text, reminder_id, sag_id, user_id, recipient_email, channel, status, reason, "
                     "dedupe_key, attempt, created_at FROM sag_reminder_logs"),
        "deliveries": rows("SELECT delivery_id, channel, reminder_id, sag_id, user_id, recipient_email, status, "
                           "handled_attempt, message_id, created_at, updated_at FROM sag_reminder_deliveries"),
        "inbox": rows("SELECT id, delivery_id, event_id::text, user_id, created_at FROM sag_reminder_inbox"),
        "outbox_topics": {topic: n for topic, n in conn.execute(
            "SELECT topic, count(*) FROM reminder_outbox GROUP BY topic")},
        "held": rows("SELECT id, topic, payload ->> 'delivery_id' AS delivery_id, available_at, created_at "
                     "FROM reminder_outbox WHERE published_at IS NULL"),
        "published": rows("SELECT topic, event_id::text, payload ->> 'delivery_id' AS delivery_id, created_at, published_at "
                          "FROM reminder_outbox WHERE published_at IS NOT NULL AND topic NOT LIKE '%%.dlq' "
                          "AND COALESCE((payload ->> 'attempt')::int, 0) = 0"),
        "published_per_s": rows("SELECT extract(epoch FROM date_trunc('second', published_at))::bigint AS second, "
                                "count(*) AS n FROM reminder_outbox WHERE published_at IS NOT NULL GROUP BY 1"),
        "smtp": read_jsonl(os.path.join(sink_dir, "smtp.jsonl")),
        "http": read_jsonl(os.path.join(sink_dir, "http.jsonl")),
        "reminders": workload.reminders,
        "users": workload.users,
    }
    return snap


# --- repeated sends and what came before them --------------------------------

# Which worker role sends on a sink's channel (its scale events can cause a repeat there).
CHANNEL_ROLE = {"email": "email", "webhook": "mattermost"}
# The faults that can cause a repeat on a channel: a kill of that channel's
# worker or an outage of its receiver; the database and the broker: any channel.
FAULT_CAUSES = {"email": {("kill", "email"), ("smtp", "down")},
                "webhook": {("kill", "mattermost"), ("webhook", "429 then 500")}}
SCALE_KINDS = ("join", "sigterm", "sigkill")


def repeated_sends(snap):
    """[(channel, t)]: the extra copies at the sinks. An e-mail whose
    Message-ID had arrived before; for posts (matched per case), those beyond
    the number of Mattermost deliveries recorded sent for the case, the
    latest ones counted as the repeats."""
    repeats = []
    seen = collections.Counter()
    for rec in sorted(snap["smtp"], key=lambda r: r["t"]):
        seen[rec.get("message_id")] += 1
        if seen[rec.get("message_id")] > 1:
            repeats.append(("email", rec["t"]))
    sent_posts = collections.Counter(d["sag_id"] for d in snap["deliveries"]
                                     if d["channel"] == "mattermost" and d["status"] == "sent")
    posts_by_sag = collections.defaultdict(list)
    for rec in snap["http"]:
        if 200 <= rec["status"] < 300 and rec.get("sag") is not None:
            posts_by_sag[rec["sag"]].append(rec["t"])
    for sag, times in posts_by_sag.items():
        extra = len(times) - sent_posts.get(sag, 0)
        if extra > 0:
            repeats.extend(("webhook", t) for t in sorted(times)[len(times) - extra:])
    return sorted(repeats, key=lambda r: r[1])


def _causes(faults, scale_events):
    """Faults and scale events as one time line: dicts t, kind, label, channels."""
    events = []
    for f in faults or []:
        channels = {c for c, pairs in FAULT_CAUSES.items()
                    if (f["kind"], f["detail"]) in pairs or f["kind"] in ("pg", "broker")}
        events.append({"t": f["start"], "kind": f["kind"], "label": f"{f['kind']} {f['detail']}",
                       "channels": channels})
    for e in scale_events or []:
        channels = {c for c, role in CHANNEL_ROLE.items() if role == e["role"]}
        events.append({"t": e["t"], "kind": e["kind"], "label": f"{e['kind']} {e.get('instance') or e['role']}",
                       "channels": channels})
    events.sort(key=lambda e: e["t"])
    return events


def attribute_repeats(repeats, faults=(), scale_events=()):
    """Each repeated send to the last event before it that can cause one on
    its channel: a fault (kill of the channel's worker, an outage of the
    database, the broker or the channel's receiver) or a scale event (join,
    SIGTERM, SIGKILL) of the channel's worker role.

    Returns `per_event` ([{fault, kind, t, channel, count}], "fault" being
    the event's label or "none"), `by_kind` ({kind or "none": count}), and
    `per_scale_event` (every scale event with its repeats, zero included)."""
    events = _causes(faults, scale_events)
    owners = collections.Counter()
    for channel, t in repeats:
        owner = None
        for n, e in enumerate(events):
            if e["t"] > t:
                break
            if channel in e["channels"]:
                owner = n
        owners[(owner, channel)] += 1
    per_event, by_kind = [], collections.Counter()
    for (n, channel), count in sorted(owners.items(), key=lambda x: (x[0][0] is None, x[0][0] or 0, x[0][1])):
        e = events[n] if n is not None else None
        per_event.append({"fault": e["label"] if e else "none", "kind": e["kind"] if e else "none",
                          "t": e["t"] if e else None, "channel": channel, "count": count})
        by_kind[e["kind"] if e else "none"] += count
    per_scale = []
    for n, e in enumerate(events):
        if e["kind"] in SCALE_KINDS:
            count = sum(c for (owner, _), c in owners.items() if owner == n)
            per_scale.append({"event": e["label"], "kind": e["kind"], "t": e["t"], "repeats": count})
    return {"per_event": per_event, "by_kind": dict(by_kind), "per_scale_event": per_scale}


def scale_acceptance(attribution):
    """The scaling acceptance: no repeated send from a join or a SIGTERM, at
    most one per SIGKILL, and none with nothing before it that could cause it."""
    problems = []
    for e in attribution["per_scale_event"]:
        if e["kind"] in ("join", "sigterm") and e["repeats"] > 0:
            problems.append(f"{e['repeats']} repeated send(s) after {e['event']}")
        elif e["kind"] == "sigkill" and e["repeats"] > 1:
            problems.append(f"{e['repeats']} repeated sends after {e['event']} (at most 1)")
    unexplained = attribution["by_kind"].get("none", 0)
    if unexplained:
        problems.append(f"{unexplained} repeated send(s) with no crash, outage or scale event before them")
    return {"ok": not problems, "problems": problems}
