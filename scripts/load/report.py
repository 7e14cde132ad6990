"""docs/load-report.md and docs/load/*.png from the results of `scripts/load.sh bench`.

The hand-written analysis between `<!-- notes -->` and `<!-- /notes -->` in an
existing report is kept when the report is written again.
"""
import glob
import json
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import recovery  # noqa: E402
from .stack import PROJECT_ROOT  # noqa: E402

DOCS = os.path.join(PROJECT_ROOT, "docs")
PNG_DIR = os.path.join(DOCS, "load")
CHANNEL_NAMES = {"email": "SMTP 250", "webhook": "webhook 2xx", "inbox": "inbox row", "webhook_sink": "webhook at the sink"}


def binary_name(path):
    """The binary as the report names it: relative to the project, or only
    its file name when it lies elsewhere (a report names no machine's paths)."""
    if path.startswith(PROJECT_ROOT + os.sep):
        return os.path.relpath(path, PROJECT_ROOT)
    return os.path.basename(path) + " (a release build outside the project)"


def load_results(out):
    results = {}
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        with open(path) as f:
            r = json.load(f)
        if "name" not in r:
            continue  # not a pipeline run (the streams benchmark writes its own shape)
        results[r["name"]] = r
    return results


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def lat_cell(r, channel, key="p99"):
    p = r.get("analysis", {}).get("latency_ms", {}).get(channel, {})
    return fmt(p.get(key)) if p.get("n") else "—"


def plot_latency(results, names):
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, channel in zip(axes, ("email", "webhook", "inbox")):
        for name in names:
            values = results[name]["analysis"]["latency_cdf_ms"].get(channel) or []
            if values:
                ys = [(i + 1) / len(values) for i in range(len(values))]
                ax.plot(values, ys, label=f"{results[name]['profile']['rate']:g}/s")
        ax.set_xscale("log")
        ax.set_title(f"status change → {CHANNEL_NAMES[channel]}")
        ax.set_xlabel("ms (log)")
        ax.grid(True, which="both", alpha=0.3)
        ax.axvline(50, color="red", lw=0.8, ls="--")
    axes[0].set_ylabel("fraction of deliveries")
    axes[0].legend(title="offered changes")
    fig.tight_layout()
    path = os.path.join(PNG_DIR, "latency-cdf.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return "load/latency-cdf.png"


def plot_series(result, filename, title, shade_faults=False):
    s = result["analysis"]["series"]
    start = s["start"]
    xs = [i - (result["t0"] - start) for i in range(len(s["changes"]))]
    fig, ax = plt.subplots(figsize=(12, 4))
    ax.plot(xs, s["changes"], label="status changes/s", color="black", lw=1)
    ax.plot(xs, s["notifications"], label="notifications/s (dispatched)", lw=1)
    ax.plot(xs, s["email"], label="e-mails/s at sink", lw=1)
    ax.plot(xs, s["webhook"], label="webhook 2xx/s", lw=1)
    ax.plot(xs, s["inbox"], label="inbox rows/s", lw=1)
    if shade_faults:
        ax.plot(xs, s["webhook_errors"], label="webhook 429/500 answered/s", lw=1, ls=":")
    ax.set_xlabel("seconds since the load started")
    ax.set_ylabel("per second")
    ax2 = ax.twinx()
    ax2.fill_between(xs, s["backlog"], color="grey", alpha=0.2, label="backlog (firings + deliveries in flight)")
    ax2.set_ylabel("backlog")
    if shade_faults:
        colours = {"kill": "red", "pg": "purple", "broker": "orange", "smtp": "blue", "webhook": "green"}
        for f in result.get("faults", []):
            a = f["start"] - result["t0"]
            b = max(a + 0.8, f.get("end", f["start"]) - result["t0"])
            ax.axvspan(a, b, color=colours.get(f["kind"], "grey"), alpha=0.25)
            ax.text(a, ax.get_ylim()[1] * 0.97, f"{f['kind']} {f['detail']}".replace("restart -m immediate", "restart"),
                    rotation=90, va="top", fontsize=7)
    lines, labels = ax.get_legend_handles_labels()
    l2, lab2 = ax2.get_legend_handles_labels()
    ax.legend(lines + l2, labels + lab2, fontsize=7, loc="upper right")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(os.path.join(PNG_DIR, filename), dpi=90)
    plt.close(fig)
    return f"load/{filename}"


SCALE_COLOURS = {"join": "green", "sigterm": "orange", "sigkill": "red"}
ROLE_ORDER = ("relay", "scheduler", "dispatcher", "email", "mattermost")


def has_instance_data(result):
    return bool(((result.get("instances") or {}).get("throughput") or {}).get("series"))


def plot_instances(result, png_dir=None):
    """Throughput per instance: messages/s of every instance over the run,
    one panel per role, one line per instance; scale events as vertical
    lines (join green, SIGTERM orange, SIGKILL red), kill faults dotted.
    Writes <png_dir>/<name>-instances.png and returns its path relative to docs/."""
    png_dir = png_dir or PNG_DIR
    data = result["instances"]["throughput"]
    roles_of = data.get("roles") or {}
    by_role = {}
    for name in data["series"]:
        role = roles_of.get(name) or name.rsplit("-", 1)[0]
        by_role.setdefault(role, []).append(name)
    roles = [r for r in ROLE_ORDER if r in by_role] + sorted(r for r in by_role if r not in ROLE_ORDER)
    fig, axes = plt.subplots(len(roles), 1, figsize=(12, 1.9 * len(roles) + 0.8), sharex=True, squeeze=False)
    t0 = result["t0"]
    offset = t0 - data["start"] - 0.5  # each bin drawn at its middle
    for ax, role in zip(axes[:, 0], roles):
        for name in sorted(by_role[role], key=lambda n: (len(n), n)):
            values = data["series"][name]
            xs = [i - offset for i in range(len(values))]
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(xs, ys, lw=1, label=name)
        for e in result.get("scale_events", []):
            if e["role"] == role:
                ax.axvline(e["t"] - t0, color=SCALE_COLOURS.get(e["kind"], "grey"), lw=1.2, ls="--")
                ax.text(e["t"] - t0, 1.0, f" {e['kind']} {e.get('instance') or ''}", rotation=90, va="top",
                        fontsize=6, transform=ax.get_xaxis_transform())
        for f in result.get("faults", []):
            if f["kind"] == "kill" and f["detail"] == role:
                ax.axvline(f["start"] - t0, color="red", lw=1, ls=":")
                ax.text(f["start"] - t0, 1.0, f" kill {f.get('instance') or role}", rotation=90, va="top",
                        fontsize=6, color="red", transform=ax.get_xaxis_transform())
        unit = "published/s" if role == "relay" else ("fired/s" if role == "scheduler" else "messages/s")
        ax.set_ylabel(f"{role}\n{unit}", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper right", ncol=min(4, len(by_role[role])))
        ax.axvline(0, color="black", lw=0.6)
        ax.axvline(result["t_load_end"] - t0, color="black", lw=0.6)
    axes[-1, 0].set_xlabel("seconds since the load started (black: load start and end)")
    axes[0, 0].set_title(f"{result['name']}: throughput per instance (each instance's /metrics, scraped every second)",
                         fontsize=9)
    fig.tight_layout()
    filename = f"{result['name']}-instances.png"
    os.makedirs(png_dir, exist_ok=True)
    fig.savefig(os.path.join(png_dir, filename), dpi=90)
    plt.close(fig)
    return f"load/{filename}"


def plot_sustain(results, names):
    fig, ax = plt.subplots(figsize=(7, 4))
    offered = [results[n]["profile"]["rate"] for n in names]
    steady = [results[n]["analysis"]["steady"] for n in names]
    ax.plot(offered, [s["changes_per_s"] for s in steady], "o-", label="status changes/s committed")
    ax.plot(offered, [s["notifications_per_s"] for s in steady], "o-", label="notifications/s dispatched")
    ax.plot(offered, [s["channel_deliveries_per_s"] for s in steady], "o-", label="channel deliveries/s at the sinks")
    ax.plot(offered, offered, "k:", lw=0.8, label="offered")
    for n, r in results.items():
        if n.startswith("knob-") and r["profile"].get("settings", {}).get("REMINDERS_QUEUE_BATCH_SIZE"):
            st = r["analysis"]["steady"]
            ax.plot([r["profile"]["rate"]], [st["notifications_per_s"]], "*", ms=12, color="C1",
                    label=f"notifications/s, batch {r['profile']['settings']['REMINDERS_QUEUE_BATCH_SIZE']}")
            ax.plot([r["profile"]["rate"]], [st["channel_deliveries_per_s"]], "*", ms=12, color="C2",
                    label=f"channel deliveries/s, batch {r['profile']['settings']['REMINDERS_QUEUE_BATCH_SIZE']}")
    ax.set_xscale("log")
    ax.set_xlabel("offered status changes/s")
    ax.set_ylabel("per second (steady window)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(PNG_DIR, "sustained.png"), dpi=90)
    plt.close(fig)
    return "load/sustained.png"


def plot_memory(results):
    peak = {}
    for r in results.values():
        for role, kib in r.get("peak_rss_kib", {}).items():
            peak[role] = max(peak.get(role, 0), kib)
    roles = sorted(peak)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(roles, [peak[r] / 1024 for r in roles])
    ax.set_ylabel("peak RSS, MiB")
    ax.set_title("peak RSS per process over all runs (PostgreSQL: all its processes summed)")
    fig.tight_layout()
    fig.savefig(os.path.join(PNG_DIR, "memory.png"), dpi=90)
    plt.close(fig)
    return "load/memory.png", peak


def keep_notes(path):
    if not os.path.exists(path):
        return "<!-- notes -->\n(analysis to be written)\n<!-- /notes -->"
    text = open(path).read()
    found = re.search(r"<!-- notes -->.*?<!-- /notes -->", text, re.S)
    return found.group(0) if found else "<!-- notes -->\n<!-- /notes -->"


def targets_table(results):
    """The targets of issues A–F beside what these runs measured."""
    latency = {r["profile"]["rate"]: r for n, r in results.items() if n.startswith("latency-")}
    sustain = [r for n, r in results.items() if n.startswith(("sustain-", "latency-"))]
    sustained = [r for r in sustain if (r["analysis"]["steady"].get("backlog_slope_per_s") or 0) <= 0.02 * r["profile"]["rate"]
                 and r["drain_s"] <= 10]
    best = max(sustained, key=lambda r: r["analysis"]["steady"]["notifications_per_s"], default=None)
    rows = ["## Targets and what was measured", "",
            "| target (issue) | target | measured here (end to end, all services on 2 shared cores) | met |",
            "|---|---|---|---|"]

    def p(r, channel, key):
        return r["analysis"]["latency_ms"].get(channel, {}).get(key)

    r500 = latency.get(500)
    if r500:
        worst = max((p(r500, c, "p99") or 0) for c in ("email", "webhook", "inbox"))
        rows.append(f"| e2e latency at 500 events/s (F) | p99 ≤ 50 ms | p99 e-mail {fmt(p(r500, 'email', 'p99'))} ms, "
                    f"webhook {fmt(p(r500, 'webhook', 'p99'))} ms, inbox {fmt(p(r500, 'inbox', 'p99'))} ms "
                    f"(p50 {fmt(p(r500, 'email', 'p50'))} / {fmt(p(r500, 'webhook', 'p50'))} / {fmt(p(r500, 'inbox', 'p50'))}); "
                    f"{r500['analysis']['steady']['changes_per_s']:.0f} changes/s committed | {'yes' if worst <= 50 else 'no'} |")
    if best:
        st = best["analysis"]["steady"]
        rows.append(f"| sustained notifications on 2 cores (F, dispatcher target of C) | ≥ 2,000/s | "
                    f"{st['notifications_per_s']:.0f} notifications/s = {st['channel_deliveries_per_s']:.0f} channel deliveries/s "
                    f"at {best['profile']['rate']:g} changes/s without a growing backlog | "
                    f"{'yes' if st['notifications_per_s'] >= 2000 else 'no'} |")
    r100 = latency.get(100)
    if r100:
        stage = r100["analysis"].get("stages_ms", {}).get("change → dispatcher decision", {})
        if stage.get("n"):
            rows.append(f"| status change → firing consumed (B, `trigger-latency`) | p50 ≤ 10 ms, p99 ≤ 50 ms | change → the "
                        f"dispatcher's committed decision at 100/s: p50 {fmt(stage['p50'])} ms, p99 {fmt(stage['p99'])} ms "
                        f"(includes the dispatcher's transaction) | {'yes' if stage['p50'] <= 10 and stage['p99'] <= 50 else 'no'} |")
    lateness = []
    for r in results.values():
        if r["profile"].get("faults"):
            continue  # killed schedulers and a restarted database are not lateness
        st = r.get("analysis", {}).get("stages_ms", {}).get("scheduler lateness (time_based)", {})
        if st.get("n"):
            lateness.append(st)
    if lateness:
        n = sum(s["n"] for s in lateness)
        worst = max(s["p99"] for s in lateness)
        rows.append(f"| scheduler lateness (B) | p99 ≤ 5 ms | worst run's p99 {fmt(worst)} ms over {n} time_based firings in all "
                    f"runs (few per run, under load: not the benchmark's steady state) | {'yes' if worst <= 5 else 'no'} |")
    peaks = {k: max((r["analysis"]["steady"].get("peak_1s", {}).get(k, 0) for r in sustain), default=0)
             for k in ("outbox_published", "email", "webhook", "inbox")}
    if sustain:
        rows.append(f"| relay (A) | ≥ 10,000 rows/s | busiest second {peaks['outbox_published']:,} rows published (bounded by the "
                    f"offered load here; the isolated benchmark in README → Benchmarks measured 19,834/s) | not saturated here |")
        rows.append(f"| e-mail worker (D) | ≥ 2,000 e-mails/s | busiest second {peaks['email']:,} e-mails at the sink | "
                    f"{'yes' if peaks['email'] >= 2000 else 'no'} |")
        rows.append(f"| Mattermost worker (D) | ≥ 3,000 posts/s | busiest second {peaks['webhook']:,} posts | "
                    f"{'yes' if peaks['webhook'] >= 3000 else 'no'} |")
    rows += recovery_targets(results)
    rows.append("| gateway `pending/me` (E) | ≥ 5,000 requests/s, p99 ≤ 10 ms | not driven by this harness (README → Benchmarks: 1,491/s) | — |")
    rows.append("")
    return rows


FAULT_ORDER = ("broker", "kill", "pg", "smtp", "webhook")
ROLE_RANK = {role: n for n, role in enumerate(("dispatcher", "relay", "email", "mattermost", "scheduler"))}


def recovery_rows(results, names):
    """{(fault label, channel): {run name: figure}} and each row's target, over
    the runs that measured recovery; rows in a fixed order (broker pause, kills
    of the dispatcher, relay, workers, then the database and the receivers)."""
    cells, targets, notes = {}, {}, {}
    for name in names:
        for record in results[name].get("analysis", {}).get("recovery") or []:
            if not record["channels"]:
                notes[record["fault"]] = record.get("note", "")
            for channel, figure in record["channels"].items():
                key = (record["fault"], channel)
                cells.setdefault(key, {})[name] = figure
                targets[key] = record.get("target_s")
    kinds = {key: key[0].split(" ", 1) for key in cells}

    def rank(key):
        kind, detail = kinds[key]
        return (FAULT_ORDER.index(kind) if kind in FAULT_ORDER else len(FAULT_ORDER), ROLE_RANK.get(detail, 99), detail,
                recovery.CHANNELS.index(key[1]) if key[1] in recovery.CHANNELS else 9)
    return [(key, cells[key], targets[key]) for key in sorted(cells, key=rank)], notes


def recovery_table(results, names):
    """The recovery table of the fault runs (issue J): one row per fault and
    affected channel, one column per run, the target, and whether every run
    met it. Figures over the target are bold."""
    names = [n for n in names if results[n].get("analysis", {}).get("recovery") is not None]
    if not names:
        return []
    rows, notes = recovery_rows(results, names)
    md = ["### Recovery after each fault", "",
          "Seconds from a fault's end (the harness sent SIGCONT to the broker, spawned the killed process again, "
          "made the SMTP sink listen again, had the webhook answer 2xx again, or saw `pg_ctl restart` return) to "
          "the first delivery that arrived after it on each channel the fault interrupts: the SMTP sink's receipt "
          "of a message, the webhook sink's receipt of a request it answered 2xx, the inbox row's `created_at` "
          "(one machine clock; the dispatcher writes the inbox row itself, with its decision). "
          "After a kill of the dispatcher or the relay only deliveries whose firing the new dispatcher decided, or "
          "whose delivery (for an inbox row: whose firing) the new relay published, count (others were already "
          "past it). "
          "*n/a (no traffic)*: nothing arrived on that channel in the 5 s before the fault, or nothing after it. "
          "*with …*: another fault on that channel was under way before the first arrival, so the figure is "
          "not this fault's alone. Targets (issue J): broker pause ≤ 3 s, SIGKILL and restart of a consumer "
          "(dispatcher, e-mail and Mattermost workers) ≤ 5 s; the relay, the database and the receivers have none. Figures over "
          "the target are bold.", "",
          "| fault | channel | " + " | ".join(names) + " | target | met in every run |",
          "|---|---|" + "---|" * len(names) + "---|---|"]
    for (fault, channel), figures, target in rows:
        met = "—"
        if target is not None:
            values = [(figures.get(n) or {}).get("s") for n in names]
            if any(v is not None and v > target for v in values):
                met = "**no**"
            elif None in values:
                met = "not measured in every run"
            else:
                met = "yes"
        md.append(f"| {fault} | {channel} | " + " | ".join(recovery.cell(figures.get(n), target, markdown=True) for n in names)
                  + f" | {f'≤ {target:g} s' if target is not None else '—'} | {met} |")
    for fault, note in sorted(notes.items()):
        md.append(f"| {fault} | — | " + " | ".join("—" for _ in names) + f" | — | {note} |")
    md.append("")
    return md


def recovery_targets(results):
    """Issue J's two rows of the targets table: the worst figure over the fault runs."""
    names = sorted(n for n in results if n.startswith("fault-") and results[n].get("analysis", {}).get("recovery") is not None)
    if not names:
        return []
    rows, _ = recovery_rows(results, names)
    out = []
    for what, kind, target in (("broker pause (SIGSTOP 10 s, SIGCONT)", "broker", recovery.BROKER_PAUSE_TARGET_S),
                               ("SIGKILL and restart of a consumer", "kill", recovery.CONSUMER_RESTART_TARGET_S)):
        figures = [(key, fig) for key, per_run, t in rows if key[0].split(" ", 1)[0] == kind and t is not None
                   for fig in per_run.values()]
        measured = [fig["s"] for _, fig in figures if fig.get("s") is not None]
        missing = sum(1 for _, fig in figures if fig.get("s") is None)
        if not figures:
            continue
        worst = max(measured) if measured else None
        out.append(f"| recovery after a {what} (J) | first delivery on each affected channel ≤ {target:g} s after its end | "
                   f"worst {fmt(worst)} s over {len(names)} run{'' if len(names) == 1 else 's'}" + (f", {missing} channel figures n/a" if missing else "")
                   + " (table under Fault runs) | " + ("yes" if worst is not None and worst <= target and not missing else "no") + " |")
    return out


def write(out):
    os.makedirs(PNG_DIR, exist_ok=True)
    results = load_results(out)
    report_path = os.path.join(DOCS, "load-report.md")
    notes = keep_notes(report_path)
    md = ["# Load, fault and latency report (issue F)", ""]
    md += ["Reproduce (on this 2-core machine, about 40 minutes):", "", "```sh",
           "swift build -c release --product reminders", "scripts/load.sh bench      # fault runs ×3, latency at 100/500/2000, sustained-rate search, then this report",
           "scripts/load.sh report     # only re-draw this report from .build/load-results/*.json", "```", ""]
    any_result = next(iter(results.values()), None)
    if any_result:
        md += [f"Binary: `{binary_name(any_result['binary'])}`. "
               "Every run starts private servers on free loopback ports (its own PostgreSQL 15 cluster with fsync off "
               "and synchronous_commit on, its own Tansu broker with memory storage, SMTP and webhook sinks written "
               "in asyncio Python) and the five services as child processes. The machine has **2 cores shared with "
               "other work** (other helpers' builds and tests ran at the same time): the 1-minute load average is "
               "given with every run.", ""]
    md += [notes, ""]
    md += targets_table(results)

    fault_runs = sorted(n for n in results if n.startswith("fault-"))
    latency_runs = sorted((n for n in results if n.startswith("latency-")), key=lambda n: results[n]["profile"]["rate"])
    # Every run without faults at the default batch size, by offered rate.
    sustain_runs = sorted((n for n in results if n.startswith(("sustain-", "latency-", "knob-"))
                           and not results[n]["profile"].get("settings", {}).get("REMINDERS_QUEUE_BATCH_SIZE")),
                          key=lambda n: results[n]["profile"]["rate"])

    if fault_runs:
        md += ["## Fault runs", "",
               "All faults in each run, one after another in a random order (seeded) with a few seconds between "
               "them, from 10 % of the run until a tenth of it (at least 10 s) before the load stops, so that "
               "load is still offered after the last one ends: SIGKILL of every service in turn (restarted "
               "0.5 s later), `pg_ctl restart -m immediate`, the broker paused 10 s with SIGSTOP/SIGCONT (the test "
               "broker keeps its data in memory only, so a real restart would lose every topic and offset: its "
               "outage is a pause), the SMTP sink not listening for 30 s, the webhook answering 429 (Retry-After 2) "
               "then 500 for 20 s. `REMINDERS_MAX_PER_USER_PER_HOUR=5`, users few enough that many reach it.", "",
               "| run | changes | firings | invariant | drain | repeated e-mails | repeated posts | load avg |",
               "|---|---|---|---|---|---|---|---|"]
        for n in fault_runs:
            r = results[n]
            inv = r.get("invariant", {})
            st = inv.get("stats", {})
            verdict = "**holds**" if inv.get("ok") else "FAILS: " + "; ".join(f"{k} ×{v['count']}" for k, v in inv.get("violations", {}).items())
            md.append(f"| {n} | {r.get('changes_committed')} at {r['profile']['rate']:g}/s | {st.get('firings')} | {verdict} | "
                      f"{r.get('drain_s')} s | {st.get('smtp repeated sends', 0)} | {st.get('webhook repeated sends', 0)} | "
                      f"{r.get('load_during', ['?'])[0]} |")
        md.append("")
        md += recovery_table(results, fault_runs)
        for n in fault_runs:
            r = results[n]
            st = r.get("invariant", {}).get("stats", {})
            png = plot_series(r, f"{n}.png", f"{n}: deliveries, backlog and faults", shade_faults=True)
            md += [f"### {n}", "", f"![{n}]({png})", "", "| t (s) | fault | what | ok |", "|---|---|---|---|"]
            for f in r.get("faults", []):
                md.append(f"| {f['start'] - r['t0']:.1f} | {f['kind']} {f['detail']} | {f['note']} | {'yes' if f['ok'] else 'NO'} |")
            md.append("")
            outcomes = sorted((k[len("outcome."):], v) for k, v in st.items() if k.startswith("outcome."))
            md.append("Outcomes per (recipient, channel): " + ", ".join(f"{k} {v}" for k, v in outcomes) + ".")
            md.append(f"Decisions per recipient: dispatched {st.get('decision.dispatched', 0)}, rate limited "
                      f"{st.get('decision.rate_limited', 0)}, skipped {st.get('decision.skipped', 0)}. "
                      f"Webhook answered 429/500 {st.get('webhook posts answered otherwise', 0)} times.")
            reps = r.get("analysis", {}).get("repeats", [])
            md.append("Repeated external sends by the fault before them: " +
                      (", ".join(f"{x['fault']} ({x['channel']}): {x['count']}" for x in reps) if reps else "none") + ".")
            if r.get("unexpected_exits"):
                md.append(f"Services that exited by themselves: {r['unexpected_exits']}.")
            md.append("")

    if latency_runs:
        png = plot_latency(results, latency_runs)
        md += ["## Latency: status change → delivery", "",
               "No faults; `REMINDERS_MAX_PER_USER_PER_HOUR` raised to 10,000 (the most the service accepts) so the "
               "limit does not silence the load; 2,000 users (since the eighth pass of issue G, with `--recipients`, "
               "enough that an average user gets about five notifications in the run) with the preference mix of "
               "`scripts/load/workload.py`; "
               "quiet-hour deferrals (held for hours) are left out of the latencies. The clock starts at the "
               "trigger's `clock_timestamp()` inside the status UPDATE and stops at the SMTP sink's receipt of "
               "the message (end of DATA, matched by Message-ID), the Mattermost worker's record of the 2xx "
               "(`sag_reminder_deliveries.updated_at`, written right after the response; the sink's receipt "
               "can only be matched through the case title, which under overload may name a later change — "
               "`webhook at the sink` rows count only the posts that match unambiguously) or, for the inbox row, "
               "the commit of the dispatcher's transaction that wrote it, heard by the harness as the insert's "
               "NOTIFY (before the eighth pass of issue G: the row's `created_at`, the decision inside that "
               "transaction, now `inbox_decision`); all on one machine clock.", "",
               f"![latency CDF]({png})", "",
               "| offered/s | committed/s | channel | n | p50 ms | p95 ms | p99 ms | max ms | load avg |",
               "|---|---|---|---|---|---|---|---|---|"]
        for n in latency_runs:
            r = results[n]
            for channel in ("email", "webhook", "webhook_sink", "inbox"):
                p = r["analysis"]["latency_ms"].get(channel, {})
                if channel == "webhook_sink" and not p.get("n"):
                    continue
                md.append(f"| {r['profile']['rate']:g} | {r['analysis']['steady']['changes_per_s']:.0f} | {CHANNEL_NAMES[channel]} | "
                          f"{p.get('n', 0)} | {fmt(p.get('p50'))} | {fmt(p.get('p95'))} | {fmt(p.get('p99'))} | "
                          f"{fmt(p.get('max'))} | {r.get('load_during', ['?'])[0]} |")
        md += ["", "Stages (same runs): where the time goes. A decision's time is the dispatcher's clock when it "
               "planned the batch (the log rows' `created_at`); its transaction commits later, so stage 3 includes "
               "the rest of that transaction. The worker's time is its record of the outcome (after the send). "
               "In-app notifications have no stage after the decision (no outbox row, relay or worker).", "",
               "| offered/s | stage | n | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|"]
        for n in latency_runs:
            r = results[n]
            for stage, p in sorted(r["analysis"].get("stages_ms", {}).items()):
                stage = stage.replace(" decision committed", " decision")
                if p.get("n"):
                    md.append(f"| {r['profile']['rate']:g} | {stage} | {p['n']} | {fmt(p['p50'])} | {fmt(p['p95'])} | {fmt(p['p99'])} |")
        md.append("")
        for n in latency_runs:
            r = results[n]
            pngs = plot_series(r, f"{n}.png", f"{n}: throughput and backlog")
            st = r["analysis"]["steady"]
            md += [f"![{n}]({pngs})", "",
                   f"{n}: steady window {st['window_s']} s: {st['changes_per_s']:.0f} changes/s, "
                   f"{st['notifications_per_s']:.0f} notifications/s, {st['channel_deliveries_per_s']:.0f} channel "
                   f"deliveries/s (e-mail {st['email_per_s']:.0f}, webhook {st['webhook_per_s']:.0f}, inbox "
                   f"{st['inbox_per_s']:.0f}); backlog {st['backlog_start']} → {st['backlog_end']} (max {st['backlog_max']}); "
                   f"drained {r['drain_s']} s after the load stopped.", ""]

    if sustain_runs:
        png = plot_sustain(results, sustain_runs)
        md += ["## Highest sustained rate", "",
               "The search ran 40 s runs at rising rates (150, 250, …; it stops at the first rate not sustained); "
               "the table adds the latency runs and the 300/s run of the batch-size comparison, all with the same "
               "set-up. A rate is sustained when the backlog does not grow over the steady window (slope ≤ 2 % of "
               "the rate) and the run drains within 10 s. Stars: the 300/s run with `REMINDERS_QUEUE_BATCH_SIZE=100`.", "",
               f"![sustained]({png})", "",
               "| run | offered/s | committed/s | notifications/s | channel deliveries/s | backlog slope/s | drain s | p99 webhook ms | sustained | load avg |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for n in sustain_runs:
            r = results[n]
            st = r["analysis"]["steady"]
            ok = (st.get("backlog_slope_per_s") or 0) <= 0.02 * r["profile"]["rate"] and r["drain_s"] <= 10
            md.append(f"| {n} | {r['profile']['rate']:g} | {st['changes_per_s']:.0f} | {st['notifications_per_s']:.0f} | "
                      f"{st['channel_deliveries_per_s']:.0f} | {(st.get('backlog_slope_per_s') or 0):.1f} | {r['drain_s']} | "
                      f"{lat_cell(r, 'webhook')} | {'yes' if ok else 'no'} | {r.get('load_during', ['?'])[0]} |")
        md.append("")

    knob_runs = sorted(n for n in results if n.startswith("knob-"))
    if knob_runs:
        md += ["## The dispatcher's batch size", "",
               "Two runs at 300 changes/s for 30 s, the same except `REMINDERS_QUEUE_BATCH_SIZE` (firings per "
               "dispatcher transaction; default 10). Run with `scripts/load.sh run --rate 300 --duration 30 "
               "--env REMINDERS_QUEUE_BATCH_SIZE=100` (and `--env dispatcher:LOG_LEVEL=debug` for the batch timings).", "",
               "| run | batch | notifications/s | channel deliveries/s | backlog slope/s | drain s | change → decision p50 / p99 ms | e2e inbox p50 / p99 ms | dispatcher CPU s | load avg |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for n in knob_runs:
            r = results[n]
            st = r["analysis"]["steady"]
            stage = r["analysis"].get("stages_ms", {}).get("change → dispatcher decision", {})
            inbox = r["analysis"]["latency_ms"].get("inbox", {})
            md.append(f"| {n} | {r['profile'].get('settings', {}).get('REMINDERS_QUEUE_BATCH_SIZE', 10)} | "
                      f"{st['notifications_per_s']:.0f} | {st['channel_deliveries_per_s']:.0f} | "
                      f"{(st.get('backlog_slope_per_s') or 0):.1f} | {r['drain_s']} | {fmt(stage.get('p50'), 0)} / {fmt(stage.get('p99'), 0)} | "
                      f"{fmt(inbox.get('p50'), 0)} / {fmt(inbox.get('p99'), 0)} | {r.get('cpu_seconds', {}).get('dispatcher', '—')} | "
                      f"{r.get('load_during', ['?'])[0]} |")
        md.append("")
        for n in knob_runs:
            r = results[n]
            if r.get("top_statements"):
                md += [f"Statements by total time in {n} (pg_stat_statements; calls, mean ms, statement):", "", "| total ms | calls | mean ms | statement |", "|---|---|---|---|"]
                for s in r["top_statements"][:8]:
                    text = re.sub(r"\s+", " ", s["query"])[:110].replace("|", "\\|")
                    md.append(f"| {s['total_ms']:,.0f} | {s['calls']} | {s['mean_ms']} | `{text}` |")
                md.append("")
                break
        cpu_rows = [(n, results[n].get("cpu_seconds")) for n in sorted(results) if results[n].get("cpu_seconds")]
        if cpu_rows:
            roles = sorted({k for _, c in cpu_rows for k in c})
            md += ["CPU seconds per process over a whole run (user + system from `/proc/<pid>/stat`; runs without kills):", "",
                   "| run | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
            for n, c in cpu_rows:
                if not n.startswith("fault-"):
                    md.append(f"| {n} | " + " | ".join(str(c.get(k, "—")) for k in roles) + " |")
            md.append("")

    instance_runs = [n for n in sorted(results) if has_instance_data(results[n])]
    if instance_runs:
        md += ["## Throughput per instance", "",
               "Every instance's `/metrics` scraped once a second during the run (consumers: "
               "`reminders_messages_processed_total`; the relay: `reminders_outbox_published_total`; the scheduler: "
               "`reminders_scheduler_fired_total`). Vertical lines: scale events (join green, SIGTERM orange, "
               "SIGKILL red; `scripts/load.sh run --instances ROLE=N --scale-events`) and kill faults (dotted).", ""]
        for n in instance_runs:
            r = results[n]
            png = plot_instances(r)
            md += [f"![{n} per instance]({png})", ""]
            acceptance = r.get("analysis", {}).get("scale_acceptance")
            if r.get("scale_events"):
                per_event = r["analysis"].get("repeats_per_scale_event", [])
                md.append(f"{n}: scale events " + ", ".join(
                    f"{e['event']} at {e['t'] - r['t0']:.1f} s ({e['repeats']} repeated)" for e in per_event) + ". "
                    + ("Acceptance (no repeat from a join or a SIGTERM, at most one per SIGKILL): "
                       + ("met." if acceptance and acceptance["ok"] else "NOT met: " + "; ".join((acceptance or {}).get("problems", [])))))
                md.append("")
            if r.get("cpu_ms_per_notification") is not None:
                md += [f"{n}: {r['cpu_ms_per_notification']:.2f} CPU ms per notification over the load "
                       f"(PostgreSQL, the broker and every service instance).", ""]

    if results:
        png, peak = plot_memory(results)
        md += ["## Memory", "", "Peak resident set per process over all runs (VmHWM from `/proc/<pid>/status`, sampled "
               "every second and before each kill; PostgreSQL as the sum of its processes' RSS, which counts shared "
               "buffers more than once).", "", f"![memory]({png})", "", "| process | peak RSS MiB |", "|---|---|"]
        for role in sorted(peak):
            md.append(f"| {role} | {peak[role] / 1024:.0f} |")
        md.append("")
    with open(report_path, "w") as f:
        f.write("\n".join(md))
    return report_path
