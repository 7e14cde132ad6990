"""Per-instance throughput: every service instance's `/metrics`, once a second.

Each instance serves Prometheus text on its own METRICS_PORT. The consumers
(dispatcher, the two workers) count `reminders_messages_processed_total`
{role, topic}; the relay counts `reminders_outbox_published_total` {topic};
the scheduler `reminders_scheduler_fired_total`. A sample is the sum of the
role's counter over its labels, with the process id it came from: a counter
starts again at zero when an instance restarts, so increases are only taken
between samples of the same process (and a new process counts from zero at
its start).
"""
import concurrent.futures
import math
import re
import threading
import time
import urllib.request

PROCESSED = "reminders_messages_processed_total"
METRIC_BY_ROLE = {
    "relay": "reminders_outbox_published_total",
    "scheduler": "reminders_scheduler_fired_total",
    "dispatcher": PROCESSED,
    "email": PROCESSED,
    "mattermost": PROCESSED,
}
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def counter_value(text, metric):
    """The sum of `metric` over all its label sets in Prometheus text, or None when absent."""
    total, found = 0.0, False
    for line in text.splitlines():
        if not line.startswith(metric):
            continue
        m = _SAMPLE.match(line)
        if m and m.group(1) == metric:
            try:
                value = float(m.group(3))
            except ValueError:
                continue
            if math.isfinite(value):
                total += value
                found = True
    return total if found else None


def per_second(samples, start, bins, births=None):
    """Messages per second in `bins` one-second bins from `start`.

    samples: [(t, pid, counter value)] of one instance, in time order;
    births: {pid: start time}, so a new process's first sample counts from
    zero at its start. Each increase is spread over the time between its two
    samples. A bin no sample interval touches is None (the instance was not
    running or not answering)."""
    values = [None] * bins
    births = births or {}

    def add(t1, t2, amount):
        if t2 <= t1:
            i = int(t2) - start
            if 0 <= i < bins:
                values[i] = (values[i] or 0.0) + amount
            return
        first, last = int(math.floor(t1)) - start, int(math.floor(t2)) - start
        for i in range(max(0, first), min(bins - 1, last) + 1):
            overlap = min(t2, start + i + 1) - max(t1, start + i)
            if overlap > 0:
                values[i] = (values[i] or 0.0) + amount * overlap / (t2 - t1)

    previous = {}
    for t, pid, value in samples:
        if pid in previous:
            t1, v1 = previous[pid]
            add(t1, t, max(0.0, value - v1))
        else:
            born = births.get(pid)
            add(born if born is not None and born < t else t, t, value)
        previous[pid] = (t, value)
    return [None if v is None else round(v, 2) for v in values]


class Scraper:
    """Scrapes every running instance of the stack once per `interval` s in a thread of its own."""

    def __init__(self, stack, interval=1.0, timeout=0.8, log=print):
        self.stack = stack
        self.interval = interval
        self.timeout = timeout
        self.log = log
        self.samples = {}  # instance name -> [(t, pid, value)]
        self.errors = 0
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="scrape")

    def start(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False)

    def _fetch(self, instance):
        port, pid = instance.metrics_port, instance.pid
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
            t = time.time()
        except Exception:
            return instance.name, None
        value = counter_value(text, METRIC_BY_ROLE[instance.role])
        return instance.name, (t, pid, value if value is not None else 0.0)

    def scrape_once(self):
        instances = self.stack.live_instances()
        for name, sample in self._pool.map(self._fetch, instances):
            if sample is None:
                self.errors += 1
            else:
                self.samples.setdefault(name, []).append(sample)
        self.rounds += 1

    def _loop(self):
        next_round = time.monotonic()
        while not self._stop.is_set():
            try:
                self.scrape_once()
            except Exception as error:  # scraping must never stop a run
                self.log(f"scraper: {error!r}")
            next_round += self.interval
            delay = next_round - time.monotonic()
            if delay < 0:
                next_round = time.monotonic()
                delay = 0
            if self._stop.wait(delay):
                break

    def throughput(self, start, bins, layout):
        """The JSON record: per-second series per instance from `start`."""
        births = {s["pid"]: s["t"] for i in layout for s in i["starts"]}
        roles = {i["name"]: i["role"] for i in layout}
        series, totals = {}, {}
        for name, samples in sorted(self.samples.items()):
            samples = sorted(samples)
            series[name] = per_second(samples, start, bins, births)
            totals[name] = round(sum(v for v in series[name] if v), 1)
        return {"start": start, "interval_s": self.interval, "rounds": self.rounds, "scrape_errors": self.errors,
                "metric": {name: METRIC_BY_ROLE[roles[name]] for name in series if name in roles},
                "roles": {name: roles.get(name) for name in series}, "series": series, "totals": totals}
