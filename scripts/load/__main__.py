"""scripts/load.sh — see scripts/load/README.md."""
import argparse
import json
import os
import sys
import time

from . import run as runner
from .stack import PROJECT_ROOT, SERVICE_ROLES

DEFAULT_OUT = os.environ.get("LOAD_OUT", os.path.join(PROJECT_ROOT, ".build", "load-results"))


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_faults(text):
    if text in ("none", ""):
        return ()
    if text == "all":
        return runner.ALL_FAULTS
    faults = tuple(x.strip() for x in text.split(","))
    unknown = set(faults) - set(runner.ALL_FAULTS)
    if unknown:
        raise SystemExit(f"unknown faults: {sorted(unknown)} (known: {', '.join(runner.ALL_FAULTS)})")
    return faults


# In-app notifications used to have a worker of their own; a role given out of habit is told why it is gone.
NO_FRONTEND = " (there is no frontend worker: the dispatcher writes in-app notifications with its decision)"


def parse_instances(text):
    """`email=2,dispatcher=3` → {"email": 2, "dispatcher": 3}."""
    instances = {}
    for item in (x.strip() for x in (text or "").split(",")):
        if not item:
            continue
        role, sep, count = item.partition("=")
        role = role.strip()
        if role not in SERVICE_ROLES or not sep:
            raise SystemExit(f"--instances: {item!r} is not ROLE=N with ROLE one of {', '.join(SERVICE_ROLES)}"
                             + (NO_FRONTEND if role == "frontend" else ""))
        try:
            instances[role] = int(count)
        except ValueError:
            raise SystemExit(f"--instances: {item!r}: N must be a whole number")
        if instances[role] < 1:
            raise SystemExit(f"--instances: {item!r}: N must be at least 1")
    return instances


def short_profile(seed=1):
    """The test suite's profile: ≤ 2 minutes wall. Kills the dispatcher and the
    e-mail worker, pauses the broker 10 s, SMTP down 10 s, webhook 429/500 10 s."""
    return runner.Profile(rate=40, duration=45, faults=("kill", "broker", "smtp", "webhook"),
                          kill_roles=["dispatcher", "email"], broker_pause_s=10, smtp_down_s=10, webhook_bad_s=10,
                          users=400, cases=600, scheduled=20, seed=seed, drain_timeout=60, quiet_release_s=5)


def fault_profile(rate, duration, faults, seed):
    return runner.Profile(rate=rate, duration=duration, faults=faults, seed=seed, smtp_down_s=30, broker_pause_s=10,
                          webhook_bad_s=20, drain_timeout=240)


def throughput_profile(rate, duration, seed=1):
    # The rate limit is raised for throughput runs (5 per hour would limit
    # everyone after their fifth change): the report says so.
    return runner.Profile(rate=rate, duration=duration, faults=(), limit=10_000, users=2000,
                          cases=max(1000, int(rate * 12)), scheduled=20, seed=seed, drain_timeout=600,
                          quiet_release_s=3 * 3600, wait_for_held=False, threads=max(2, min(8, rate // 150)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/load.sh")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="one run")
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--faults", default="none", help="all | none | comma list of kill,pg,broker,smtp,webhook")
    p.add_argument("--limit", type=int, default=None, help="REMINDERS_MAX_PER_USER_PER_HOUR (default 5 with faults, else raised)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--name", default=None)
    p.add_argument("--short", action="store_true", help="the test suite's short fault profile")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--report", action="store_true", help="write docs/load-report.md afterwards")
    p.add_argument("--keep", action="store_true", help="keep the temporary stack folder")
    p.add_argument("--env", action="append", default=[], metavar="[ROLE:]NAME=VALUE",
                   help="extra service environment, for every service or one role (e.g. dispatcher:LOG_LEVEL=debug)")
    p.add_argument("--recipients", type=float, default=None, metavar="N",
                   help="mean recipients per status-change reminder (default: the workload's mix, about 1.15)")
    p.add_argument("--users", type=int, default=None, metavar="N",
                   help="users in the data set (default: with --recipients, enough that an average user gets "
                        "about five notifications in the run)")
    p.add_argument("--instances", default="", metavar="ROLE=N[,ROLE=N...]",
                   help=f"instances per role from the start (roles: {', '.join(SERVICE_ROLES)}; others 1)")
    p.add_argument("--scale-events", action="store_true",
                   help="during the load, for each role of --instances: a join, a SIGTERM and a SIGKILL (seeded moments)")
    f = sub.add_parser("faults", help="N fault runs in a row (all faults)")
    f.add_argument("--count", type=int, default=3)
    f.add_argument("--rate", type=float, default=100)
    f.add_argument("--duration", type=float, default=150)
    f.add_argument("--out", default=DEFAULT_OUT)
    b = sub.add_parser("bench", help="the whole report: fault runs, latency at 100/500/2000, highest sustained rate")
    b.add_argument("--out", default=DEFAULT_OUT)
    b.add_argument("--duration", type=float, default=60)
    b.add_argument("--fault-runs", type=int, default=3)
    b.add_argument("--skip-faults", action="store_true")
    s = sub.add_parser("streams", help="many event streams on one gateway: fan-out latency and idle cost")
    s.add_argument("--users", type=int, default=1000)
    s.add_argument("--per-user", type=int, default=5, help="streams per user")
    s.add_argument("--fanout", type=int, default=100, help="users who get an entry in each round")
    s.add_argument("--rounds", type=int, default=5)
    s.add_argument("--pause", type=float, default=2, help="seconds between rounds")
    s.add_argument("--wait", type=float, default=10, help="how long a round waits for its events")
    s.add_argument("--idle", type=float, default=60, help="seconds the streams are held idle while CPU and RSS are read")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", default=DEFAULT_OUT)
    h = sub.add_parser("hop", help="one hop through the broker: send-to-receive latency per consumer fetch wait")
    h.add_argument("--fetch-wait", type=int, nargs="+", default=[10, 25, 100], metavar="MS",
                   help="consumer fetch.wait.max.ms values to measure (default: 10 25 100)")
    h.add_argument("--records", type=int, default=100)
    h.add_argument("--interval", type=float, default=0.137, help="mean seconds between sends")
    h.add_argument("--out", default=DEFAULT_OUT)
    r = sub.add_parser("report", help="write docs/load-report.md and docs/load/*.png from the results")
    r.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    if args.command == "run":
        faults = parse_faults(args.faults)
        instances = parse_instances(args.instances)
        if args.scale_events and not instances:
            parser.error("--scale-events needs --instances (the roles to scale)")
        if args.recipients is not None and args.recipients < 1:
            parser.error("--recipients must be at least 1")
        if args.short:
            profile = short_profile(args.seed)
        elif faults:
            profile = fault_profile(args.rate, args.duration, faults, args.seed)
        else:
            profile = throughput_profile(int(args.rate), args.duration, args.seed)
        if args.limit is not None:
            profile.limit = args.limit
        profile.recipients = args.recipients
        profile.instances = instances
        profile.scale_events = args.scale_events
        if args.users is not None:
            profile.users, profile.users_given = args.users, True
        profile.fit_users()
        for item in args.env:
            target, _, assignment = item.rpartition(":") if ":" in item.split("=", 1)[0] else ("", "", item)
            name, value = assignment.split("=", 1)
            if target:
                if target not in SERVICE_ROLES:
                    # Settings for a role that is never started would be dropped without a word.
                    parser.error(f"--env {item}: {target!r} is not a role ({', '.join(SERVICE_ROLES)})"
                                 + (NO_FRONTEND if target == "frontend" else ""))
                profile.role_settings.setdefault(target, {})[name] = value
            else:
                profile.settings[name] = value
        name = args.name or f"run-{int(args.rate)}-{'faults' if faults else 'clean'}-{time.strftime('%H%M%S')}"
        result = runner.execute(profile, args.out, name, log=log, keep_stack=args.keep)
        if args.report:
            from . import report
            report.write(args.out)
        return 0 if result["invariant"]["ok"] else 1
    if args.command == "faults":
        return run_faults(args.count, args.rate, args.duration, args.out)
    if args.command == "streams":
        from . import streams
        result = streams.run(args, log)
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, f"streams-{args.users * args.per_user}.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=2)
        latency = result["latency_ms"]
        log(f"streams: {result['open']}/{result['streams']} open, {result['samples']} deliveries; fan-out latency after the "
            f"commit p50 {latency['p50']:.0f} ms, p95 {latency['p95']:.0f} ms, p99 {latency['p99']:.0f} ms; "
            f"idle {result['idle_seconds']:.0f} s: gateway CPU {result['idle_cpu_seconds']:.2f} s ({result['idle_cpu_percent']:.1f} %), "
            f"RSS {result['rss_mib']:.0f} MiB (peak {result['peak_rss_mib']:.0f}); load {' '.join(result['load_average_before'])} → "
            f"{' '.join(result['load_average_after'])}; PostgreSQL fsync={result['postgres']['fsync']} "
            f"synchronous_commit={result['postgres']['synchronous_commit']} → {path}")
        return 0
    if args.command == "hop":
        from . import hop
        if min(args.fetch_wait) < 1 or args.records < 1 or args.interval <= 0:
            parser.error("--fetch-wait values and --records must be at least 1, --interval above 0")
        load_before = runner.loadavg()
        result = dict(hop.run(args, log), load_average_before=load_before, load_average_after=runner.loadavg())
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, "hop.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=2)
        log(f"hop: load {load_before} → {result['load_average_after']} → {path}")
        return 0
    if args.command == "bench":
        return bench(args)
    if args.command == "report":
        from . import report
        report.write(args.out)
        return 0


def run_faults(count, rate, duration, out):
    failures = 0
    for n in range(1, count + 1):
        result = runner.execute(fault_profile(rate, duration, runner.ALL_FAULTS, seed=n), out, f"fault-{n}", log=log)
        failures += 0 if result["invariant"]["ok"] else 1
    return 1 if failures else 0


def bench(args):
    status = 0
    if not args.skip_faults:
        status |= run_faults(args.fault_runs, 100, 150, args.out)
    for rate in (100, 500, 2000):
        # 2,000/s overloads two cores: 20 s of it already takes minutes to drain.
        duration = args.duration if rate < 2000 else min(args.duration, 20)
        profile = throughput_profile(rate, duration)
        profile.drain_timeout = 600
        runner.execute(profile, args.out, f"latency-{rate}", log=log)
    # The highest sustained rate: step up until the backlog grows.
    for rate in (150, 250, 400, 600, 800, 1000, 1300):
        result = runner.execute(throughput_profile(rate, 40), args.out, f"sustain-{rate}", log=log)
        steady = result["analysis"]["steady"]
        if (steady.get("backlog_slope_per_s") or 0) > 0.02 * rate or result["drain_s"] > 10:
            break
    from . import report
    report.write(args.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
