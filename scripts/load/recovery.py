"""Recovery after each fault: the time from the moment a fault ends to the
first delivery that arrives, after that moment, at the sink of each channel
the fault affects.

A fault ends when the harness has sent SIGCONT to the broker, spawned the
killed process again, made the SMTP sink listen again, had the webhook answer
2xx again, or seen `pg_ctl restart` return (`restored` in the fault's record,
the harness's `time.time()`). Arrivals are on the same machine clock: the
SMTP sink's receipt of a message (end of DATA), the webhook sink's receipt of
a request it answered 2xx, and the inbox row's `created_at` (the dispatcher's
decision time: it writes the row in the transaction of its decision).

Everything here is pure (plain numbers in, plain dicts out), so it is tested
on hand-made time lines in `Tests/load/test_recovery.py`.
"""
import bisect
import collections

CHANNELS = ("email", "webhook", "inbox")

# The sink channel each worker role delivers to. The inbox has no worker: the
# dispatcher writes its rows with its decision, so only the stages before the
# decision (relay, broker, dispatcher, database) interrupt it.
WORKER_CHANNEL = {"email": "email", "mattermost": "webhook"}

# The roles that consume from the broker (the relay only produces, the
# scheduler only reads the database).
CONSUMER_ROLES = ("dispatcher", "email", "mattermost")

# Targets of issue J, in seconds from the fault's end to the first delivery.
BROKER_PAUSE_TARGET_S = 3.0
CONSUMER_RESTART_TARGET_S = 5.0

# A kill of an upstream role is over only once that role works again:
# deliveries already past it when it died still arrive after its restart.
# For these the first arrival counted is one whose firing the dispatcher
# decided (`decided`), or whose delivery the relay published (`published`;
# for an inbox row, which has no delivery message, its firing), after the
# fault's end.
UPSTREAM_STAGE = {"dispatcher": "decided", "relay": "published"}

# A channel counts as carrying traffic when something arrived on it in this
# many seconds before the fault began.
LOOKBACK_S = 5.0

Arrival = collections.namedtuple("Arrival", "t decided published", defaults=(None, None))


def label(fault):
    """The name a fault goes by in lines and tables: `kill email`, `broker SIGSTOP`."""
    return f"{fault['kind']} {fault['detail']}"


def affected_channels(kind, detail):
    """The sink channels whose deliveries a fault interrupts."""
    if kind in ("broker", "pg"):
        return CHANNELS
    if kind == "kill":
        if detail in ("dispatcher", "relay"):
            return CHANNELS
        channel = WORKER_CHANNEL.get(detail)
        return (channel,) if channel else ()  # the scheduler: status changes do not pass through it
    if kind == "smtp":
        return ("email",)
    if kind == "webhook":
        return ("webhook",)
    return ()


def target_s(kind, detail):
    """Issue J's target for a fault, or None where it sets none."""
    if kind == "broker":
        return BROKER_PAUSE_TARGET_S
    if kind == "kill" and detail in CONSUMER_ROLES:
        return CONSUMER_RESTART_TARGET_S
    return None


def normalise(arrivals):
    """{channel: [Arrival or t]} → {channel: [Arrival]} sorted by arrival time."""
    out = {}
    for channel, items in (arrivals or {}).items():
        out[channel] = sorted((a if isinstance(a, Arrival) else Arrival(float(a)) for a in items),
                              key=lambda a: a.t)
    return out


def channel_recovery(end, arrivals, start=None, stage=None, lookback=LOOKBACK_S):
    """Recovery on one channel. `arrivals`: [Arrival] sorted by time; `end`:
    the fault's end; `start`: its beginning (for the traffic check); `stage`:
    None, or `decided`/`published` for the kill of an upstream role.

    Returns {"s": seconds or None, "first": arrival time or None, "status":
    "measured" | "no traffic", "why": ...}. An arrival at or before `end` never
    counts. With no arrival in the `lookback` seconds before `start` (the
    channel carried no traffic) or none after `end`, the figure is n/a."""
    times = [a.t for a in arrivals]
    if start is not None and lookback:
        before = bisect.bisect_left(times, start) - bisect.bisect_left(times, start - lookback)
        if before == 0:
            return {"s": None, "first": None, "status": "no traffic",
                    "why": f"nothing arrived in the {lookback:g} s before the fault"}
    for a in arrivals[bisect.bisect_right(times, end):]:
        if stage is None:
            return {"s": round(a.t - end, 3), "first": a.t, "status": "measured", "why": ""}
        origin = getattr(a, stage)
        if origin is not None and origin > end:
            return {"s": round(a.t - end, 3), "first": a.t, "status": "measured", "why": ""}
    return {"s": None, "first": None, "status": "no traffic",
            "why": "nothing arrived after the fault's end" + (f" that was {stage} after it" if stage else "")}


def fault_recoveries(faults, arrivals, load_end=None, lookback=LOOKBACK_S):
    """One record per fault (in time order): its label, kind, detail,
    instance, start, end (`restored`), target, the seconds the load went on
    after its end, and per affected channel the result of `channel_recovery`
    plus `overlapped_by`: the other faults on that channel that were under
    way between this fault's end and the first arrival (their effects cannot
    be told apart there)."""
    arrivals = normalise(arrivals)
    faults = sorted(faults or [], key=lambda f: f["start"])
    out = []
    for fault in faults:
        kind, detail = fault["kind"], fault["detail"]
        end = fault.get("restored")
        record = {"fault": label(fault), "kind": kind, "detail": detail, "instance": fault.get("instance"),
                  "start": fault["start"], "end": end, "target_s": target_s(kind, detail),
                  "load_after_end_s": round(load_end - end, 1) if load_end is not None and end is not None else None,
                  "channels": {}}
        channels = affected_channels(kind, detail)
        if not channels:
            record["note"] = "no channel: status changes do not pass through it"
        elif end is None or not fault.get("ok", True):
            record["note"] = "the fault did not complete: not measured"
            channels = ()
        stage = UPSTREAM_STAGE.get(detail) if kind == "kill" else None
        for channel in channels:
            figure = channel_recovery(end, arrivals.get(channel, []), start=fault["start"], stage=stage,
                                      lookback=lookback)
            figure["overlapped_by"] = [] if figure["first"] is None else [
                label(other) for other in faults if other is not fault and channel in affected_channels(
                    other["kind"], other["detail"])
                and other["start"] < figure["first"] and (other.get("restored") or other.get("end") or other["start"]) > end]
            record["channels"][channel] = figure
        out.append(record)
    return out


def cell(figure, target=None, markdown=False):
    """A channel's figure as text: `4.2 s`, `0.03 s`, `11.0 s (over 3 s)`, `n/a (no traffic)`;
    with `markdown`, a figure over its target in bold."""
    if figure is None:
        return "—"
    if figure.get("s") is None:
        return "n/a (no traffic)"
    text = f"{figure['s']:.2f} s" if figure["s"] < 1 else f"{figure['s']:.1f} s"
    if target is not None and figure["s"] > target:
        text = (f"**{text}**" if markdown else text) + f" (over {target:g} s)"
    if figure.get("overlapped_by"):
        text += f" (with {', '.join(figure['overlapped_by'])})"
    return text


def summary_lines(records):
    """One line per fault: `recovery kill dispatcher (target 5 s): email 4.2 s, webhook 4.4 s, inbox 4.1 s`."""
    lines = []
    for r in records:
        head = f"recovery {r['fault']}" + (f" (target {r['target_s']:g} s)" if r.get("target_s") is not None else "")
        if not r["channels"]:
            lines.append(f"{head}: {r.get('note', 'no channel')}")
            continue
        lines.append(f"{head}: " + ", ".join(f"{channel} {cell(figure, r.get('target_s'))}"
                                              for channel, figure in r["channels"].items()))
    return lines
