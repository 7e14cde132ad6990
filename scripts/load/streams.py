"""Many event streams on one gateway: fan-out latency from the inbox commit to
every stream of the users concerned, and what the idle streams cost.

A private PostgreSQL (from the harness's Stack), one `reminders gateway`, and
asyncio clients holding `--users` x `--per-user` open `stream/me`
connections. Each round inserts one inbox entry for each of `--fanout`
users in one transaction; the time from its COMMIT returning to each of their
streams receiving the event is one sample. Then the streams are held idle
while the gateway's CPU and RSS are read from /proc.

A benchmark reports; it never asserts a target.
"""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import time

import psycopg

from .stack import PROJECT_ROOT, Stack, free_port, read_cpu_seconds, read_status, wait_for_port


def sign_token(secret, user_id, lifetime_s=3600):
    """An HS256 token as the host application issues them (sub, exp)."""
    def segment(data):
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=")
    head = segment({"alg": "HS256", "typ": "JWT"})
    body = segment({"sub": str(user_id), "exp": int(time.time()) + lifetime_s})
    signature = hmac.new(secret.encode(), head + b"." + body, hashlib.sha256).digest()
    return (head + b"." + body + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class StreamClient:
    """One open stream/me: reads events and notes when each id arrived."""

    def __init__(self, user_id, token, port):
        self.user_id, self.token, self.port = user_id, token, port
        self.arrivals = {}  # inbox id -> monotonic time
        self.connected = asyncio.Event()
        self.failed = None

    async def run(self):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write((f"GET /api/v1/reminders/stream/me?token={self.token} HTTP/1.1\r\n"
                          "Host: bench\r\nAccept: text/event-stream\r\n\r\n").encode())
            await writer.drain()
            status = await reader.readline()
            if b" 200 " not in status:
                self.failed = status.decode(errors="replace").strip()
                self.connected.set()
                return
            event_id = None
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b": connected"):
                    self.connected.set()
                elif line.startswith(b"id: "):
                    event_id = int(line[4:].strip())
                elif line.startswith(b"event: reminder") and event_id is not None:
                    self.arrivals.setdefault(event_id, time.monotonic())
        except (OSError, asyncio.IncompleteReadError) as error:
            self.failed = str(error)
            self.connected.set()


async def measure(stack, port, secret, args, log):
    users = list(range(1, args.users + 1))
    clients = [StreamClient(u, sign_token(secret, u), port) for u in users for _ in range(args.per_user)]
    tasks = []
    opened_at = time.monotonic()
    for index, client in enumerate(clients):
        tasks.append(asyncio.create_task(client.run()))
        if index % 200 == 199:
            await asyncio.sleep(0.05)  # pacing the connects, not synchronisation
    await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in clients)), timeout=120)
    failed = [c.failed for c in clients if c.failed]
    log(f"streams: {len(clients) - len(failed)} of {len(clients)} open after {time.monotonic() - opened_at:.1f} s"
        + (f"; failures e.g. {failed[:3]}" if failed else ""))

    samples = []
    rng = random.Random(args.seed)
    with psycopg.connect(stack.database_url, autocommit=False) as conn:
        for round_number in range(args.rounds):
            chosen = rng.sample(users, args.fanout)
            with conn.cursor() as cur:
                cur.execute(
                    """
                    INSERT INTO sag_reminder_inbox (delivery_id, event_id, reminder_id, sag_id, user_id, title, priority)
                    SELECT 'bench-' || gen_random_uuid(), gen_random_uuid(), 1, 1, u, 'Fan-out', 'normal'
                      FROM unnest(%s::int[]) AS u
                    RETURNING id, user_id
                    """,
                    (chosen,),
                )
                rows = cur.fetchall()
            conn.commit()
            committed = time.monotonic()
            expected = {(entry_id, user) for entry_id, user in rows}
            targets = [(c, entry_id) for c in clients if not c.failed for entry_id, user in expected if user == c.user_id]
            deadline = committed + args.wait
            while time.monotonic() < deadline and not all(entry in c.arrivals for c, entry in targets):
                await asyncio.sleep(0.01)
            got = [(c.arrivals[entry] - committed) * 1000 for c, entry in targets if entry in c.arrivals]
            missing = len(targets) - len(got)
            samples.extend(got)
            log(f"round {round_number + 1}: {len(targets)} streams of {len(chosen)} users; received {len(got)}"
                f" (missing {missing}); p50 {percentile(got, 0.5):.0f} ms, p99 {percentile(got, 0.99):.0f} ms,"
                f" max {max(got) if got else float('nan'):.0f} ms")
            await asyncio.sleep(args.pause)  # spacing the rounds, not synchronisation

    gateway = stack.gateway_process
    cpu_before = read_cpu_seconds(gateway.pid)
    idle_started = time.monotonic()
    await asyncio.sleep(args.idle)  # the measured idle period itself
    idle_elapsed = time.monotonic() - idle_started
    cpu_idle = read_cpu_seconds(gateway.pid) - cpu_before
    rss_kib, peak_kib = read_status(gateway.pid) or (0, 0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "streams": len(clients), "open": len(clients) - len(failed), "users": args.users, "per_user": args.per_user,
        "fanout": args.fanout, "rounds": args.rounds, "samples": len(samples),
        "latency_ms": {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "p99": percentile(samples, 0.99),
                       "max": max(samples) if samples else None},
        "idle_seconds": idle_elapsed, "idle_cpu_seconds": cpu_idle,
        "idle_cpu_percent": 100 * cpu_idle / idle_elapsed if idle_elapsed else None,
        "rss_mib": rss_kib / 1024, "peak_rss_mib": peak_kib / 1024,
    }


def run(args, log):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = args.users * args.per_user + 1000
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))
    stack = Stack(log=log)
    try:
        stack.start_postgres()
        stack.ports["sink_smtp"] = 1
        stack.ports["sink_http"] = 1
        stack.run_job("migrate")
        with psycopg.connect(stack.database_url, autocommit=True) as c:
            c.execute("INSERT INTO users (username, email) SELECT 'u' || n, 'u' || n || '@bench.test'"
                      " FROM generate_series(1, %s) AS n", (args.users,))
            c.execute("INSERT INTO sag_sager (titel, status) VALUES ('Bench case', 'ny')")
            c.execute("INSERT INTO sag_reminders (sag_id, title, trigger_type, trigger_config, recipient_user_ids)"
                      " VALUES (1, 'Bench', 'status_change', '{\"target_status\": \"x\"}', ARRAY[1])")
            settings = {name: c.execute(f"SHOW {name}").fetchone()[0] for name in ("fsync", "synchronous_commit")}
        secret = base64.b64encode(os.urandom(48)).decode()
        port = free_port()
        env = stack.service_env()
        env.update({"JWT_SECRET": secret, "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port),
                    "GATEWAY_MAX_STREAMS": str(args.users * args.per_user + 100),
                    "GATEWAY_MAX_CONNECTIONS": str(args.users * args.per_user + 200)})
        log_file = open(os.path.join(stack.logs, "gateway.log"), "ab")
        stack.gateway_process = subprocess.Popen([stack.binary, "gateway"], env=env, cwd=PROJECT_ROOT, stdout=log_file,
                                                 stderr=subprocess.STDOUT, start_new_session=True,
                                                 preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (needed, max(needed, hard))))
        if not wait_for_port(port, 30):
            raise RuntimeError("the gateway did not start; see " + os.path.join(stack.logs, "gateway.log"))
        load_before = open("/proc/loadavg").read().split()[:3]
        result = asyncio.run(measure(stack, port, secret, args, log))
        result["load_average_before"] = load_before
        result["load_average_after"] = open("/proc/loadavg").read().split()[:3]
        result["postgres"] = settings
        return result
    finally:
        process = getattr(stack, "gateway_process", None)
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        stack.close()
