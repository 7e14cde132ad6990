"""Private servers and the pipeline's services for one load run.

Everything runs on free loopback ports in a temporary folder of its own: a
PostgreSQL cluster (initdb/pg_ctl as the postgres user), a Tansu broker, the
SMTP/webhook sinks and the `reminders` roles as child processes. Nothing here
touches the shared servers of the other tests.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import psycopg

SERVICE_ROLES = {
    "relay": ["relay"],
    "scheduler": ["scheduler"],
    "dispatcher": ["dispatcher"],
    "email": ["worker", "email"],
    "mattermost": ["worker", "mattermost"],
    "frontend": ["worker", "frontend"],
}

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def reminders_binary():
    explicit = os.environ.get("REMINDERS_BIN")
    if explicit:
        return explicit
    for candidate in (".build/release/reminders", ".build/debug/reminders"):
        path = os.path.join(PROJECT_ROOT, candidate)
        if os.path.exists(path):
            return path
    raise RuntimeError("no reminders binary: build it (swift build -c release --product reminders) or set REMINDERS_BIN")


def pg_bindir():
    try:
        return subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "/usr/lib/postgresql/15/bin"


def as_postgres(argv):
    """PostgreSQL's server tools refuse root; run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def read_status(pid):
    """(VmRSS, VmHWM) in KiB of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            values = {}
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, amount = line.split(":")
                    values[name] = int(amount.split()[0])
            return values.get("VmRSS", 0), values.get("VmHWM", 0)
    except (OSError, ValueError):
        return None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_cpu_seconds(pid):
    """User + system CPU seconds of a process (and its waited-for children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Stack:
    """One private stack. `start()` brings everything up; `close()` tears it down."""

    def __init__(self, settings=None, keep=False, log=print, role_settings=None):
        self.settings = dict(settings or {})
        self.role_settings = {role: dict(values) for role, values in (role_settings or {}).items()}
        self.keep = keep
        self.log = log
        self.binary = reminders_binary()  # before any folder is made: a missing binary leaves nothing behind
        self.base = tempfile.mkdtemp(prefix="reminders-load-")
        os.chmod(self.base, 0o755)
        self.logs = os.path.join(self.base, "logs")
        os.makedirs(self.logs)
        self.pg_data = os.path.join(self.base, "pg")
        self.pg_socket = os.path.join(self.base, "socket")
        self.pg_port = free_port()
        self.kafka_port = free_port()
        self.tansu_bin = os.environ.get("TANSU_BIN", "/tmp/case-reminders-stack/tansu")
        self.services = {}
        self.broker = None
        self.sinks = None
        self.ports = {}
        self.peak_rss = {}  # role -> KiB (VmHWM, the kernel's own peak)
        self.cpu_seconds = {}  # (role, pid) -> user+system CPU seconds last seen
        self.rss_samples = []  # (t, role, KiB)
        self._sampler_stop = threading.Event()
        self._sampler = None
        self.database_url = f"postgresql://reminders:reminders@127.0.0.1:{self.pg_port}/reminders"

    # --- PostgreSQL -------------------------------------------------------
    def start_postgres(self):
        bindir = pg_bindir()
        os.makedirs(self.pg_data)
        os.makedirs(self.pg_socket)
        if os.geteuid() == 0:
            shutil.chown(self.pg_data, "postgres", "postgres")
            shutil.chown(self.pg_socket, "postgres", "postgres")
        os.chmod(self.pg_data, 0o700)
        subprocess.run(as_postgres([f"{bindir}/initdb", "-D", self.pg_data, "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
        with open(os.path.join(self.pg_data, "postgresql.conf"), "a") as conf:
            # fsync off (a scratch cluster) but synchronous_commit on: an
            # immediate restart must not lose acknowledged commits, or the
            # fault run would test our set-up instead of the services.
            conf.write(f"""
listen_addresses = '127.0.0.1'
port = {self.pg_port}
unix_socket_directories = '{self.pg_socket}'
max_connections = 200
fsync = off
synchronous_commit = on
full_page_writes = off
shared_buffers = 128MB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
""")
        self.pg_ctl("start")
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True) as c:
            c.execute("CREATE ROLE reminders LOGIN SUPERUSER PASSWORD 'reminders'")
            c.execute("CREATE DATABASE reminders OWNER reminders")
        with psycopg.connect(self.database_url, autocommit=True) as c:
            # Where the database's time goes (statements by total time) is part of the report.
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def pg_ctl(self, action, *extra):
        bindir = pg_bindir()
        argv = [f"{bindir}/pg_ctl", "-D", self.pg_data, "-w", "-t", "60"]
        if action in ("start", "restart"):
            argv += ["-l", os.path.join(self.pg_data, "server.log")]
        subprocess.run(as_postgres(argv + [action, *extra]), check=True, capture_output=True)

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.pg_data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def restart_postgres(self):
        """Immediate restart: every connection is cut and the server recovers from its WAL."""
        self.pg_ctl("restart", "-m", "immediate")

    # --- broker -----------------------------------------------------------
    def start_broker(self):
        log = open(os.path.join(self.logs, "tansu.log"), "ab")
        self.broker = subprocess.Popen(
            [self.tansu_bin, "broker",
             "--listener-url", f"tcp://127.0.0.1:{self.kafka_port}",
             "--advertised-listener-url", f"tcp://127.0.0.1:{self.kafka_port}",
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_for_port(self.kafka_port, 30):
            raise RuntimeError("the broker did not listen")

    def pause_broker(self):
        os.kill(self.broker.pid, signal.SIGSTOP)

    def resume_broker(self):
        os.kill(self.broker.pid, signal.SIGCONT)

    # --- sinks ------------------------------------------------------------
    def start_sinks(self):
        sink_dir = os.path.join(self.base, "sinks")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.sinks = subprocess.Popen(
            [sys.executable, "-m", "load.sinks", "--dir", sink_dir],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.logs, "sinks.log"), "ab"), env=env,
            start_new_session=True)
        line = self.sinks.stdout.readline()
        if not line:
            raise RuntimeError("the sinks did not start")
        self.ports.update({f"sink_{k}": v for k, v in json.loads(line).items()})
        self.sink_dir = sink_dir

    def sink_control(self, path, method="POST"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.ports['sink_control']}{path}", method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return json.loads(body) if body else None

    # --- services ---------------------------------------------------------
    def service_env(self):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.kafka_port}",
            "MIGRATIONS_DIR": os.path.join(PROJECT_ROOT, "migrations"),
            "TOPICS_DIR": os.path.join(PROJECT_ROOT, "topics"),
            "REMINDERS_ENABLED": "true",
            "REMINDERS_EMAIL_ENABLED": "true",
            "REMINDERS_MATTERMOST_ENABLED": "true",
            "REMINDERS_DRY_RUN": "false",
            "EMAIL_SMTP_HOST": "127.0.0.1",
            "EMAIL_SMTP_PORT": str(self.ports["sink_smtp"]),
            "EMAIL_SMTP_USE_TLS": "false",
            "EMAIL_SMTP_FROM_ADDRESS": "noreply@load.test",
            "MATTERMOST_WEBHOOK_URL": f"http://127.0.0.1:{self.ports['sink_http']}/hooks/load",
            "PUBLIC_BASE_URL": "http://hub.load.test",
            "REMINDERS_MAX_PER_USER_PER_HOUR": "5",
            "METRICS_PORT": "0",
            "LOG_LEVEL": "notice",
        })
        env.update({k: str(v) for k, v in self.settings.items()})
        return env

    def run_job(self, *arguments):
        result = subprocess.run([self.binary, *arguments], env=self.service_env(), capture_output=True, text=True,
                                timeout=120, cwd=PROJECT_ROOT)
        with open(os.path.join(self.logs, f"job-{arguments[0]}.log"), "a") as f:
            f.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"reminders {' '.join(arguments)} failed: {result.stderr[-2000:]}")

    def start_service(self, role):
        log = open(os.path.join(self.logs, f"{role}.log"), "ab")
        log.write(f"--- start {time.strftime('%H:%M:%S')} ---\n".encode())
        log.flush()
        env = self.service_env()
        env.update({k: str(v) for k, v in self.role_settings.get(role, {}).items()})
        process = subprocess.Popen([self.binary, *SERVICE_ROLES[role]], env=env, cwd=PROJECT_ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.services[role] = process
        return process

    def kill_service(self, role):
        """SIGKILL: no shutdown handler runs, nothing is flushed or committed."""
        process = self.services[role]
        self._sample_once()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def start(self, roles=None):
        self.log(f"stack: {self.base} (postgres {self.pg_port}, broker {self.kafka_port})")
        self.start_postgres()
        self.start_broker()
        self.start_sinks()
        self.run_job("migrate")
        self.run_job("topics")
        for role in roles or SERVICE_ROLES:
            self.start_service(role)
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
        self._sampler.start()

    def dead_services(self):
        return {role: p.returncode for role, p in self.services.items() if p.poll() is not None}

    # --- memory -----------------------------------------------------------
    def _pids(self):
        pids = {role: [p.pid] for role, p in self.services.items() if p.poll() is None}
        if self.broker and self.broker.poll() is None:
            pids["tansu"] = [self.broker.pid]
        if self.sinks and self.sinks.poll() is None:
            pids["sinks"] = [self.sinks.pid]
        postmaster = self.postmaster_pid()
        if postmaster:
            pids["postgres"] = [postmaster] + children_of(postmaster)
        return pids

    def _sample_once(self):
        now = time.time()
        for role, pids in self._pids().items():
            rss_total, hwm_total = 0, 0
            for pid in pids:
                cpu = read_cpu_seconds(pid)
                if cpu is not None:
                    self.cpu_seconds[(role, pid)] = cpu
                status = read_status(pid)
                if status:
                    rss_total += status[0]
                    hwm_total += status[1]
            # For PostgreSQL the sum of RSS over its processes overstates
            # (shared buffers are counted in each); we report the sum of
            # current RSS at its peak, and say so.
            value = rss_total if role == "postgres" else max(hwm_total, rss_total)
            self.rss_samples.append((now, role, rss_total))
            self.peak_rss[role] = max(self.peak_rss.get(role, 0), value)

    def _sample_loop(self):
        while not self._sampler_stop.wait(1.0):
            try:
                self._sample_once()
            except Exception as error:  # sampling must never stop a run
                self.log(f"rss sampler: {error}")

    def cpu_by_role(self):
        totals = {}
        for (role, _), seconds in self.cpu_seconds.items():
            totals[role] = totals.get(role, 0.0) + seconds
        return totals

    # --- teardown ---------------------------------------------------------
    def close(self):
        self._sampler_stop.set()
        try:
            self._sample_once()
        except Exception:
            pass
        if self.broker and self.broker.poll() is None:
            try:
                os.kill(self.broker.pid, signal.SIGCONT)
            except OSError:
                pass
        for role, process in self.services.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 12
        for role, process in self.services.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for process in (self.sinks, self.broker):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self.postmaster_pid():
            try:
                self.pg_ctl("stop", "-m", "fast")
            except subprocess.CalledProcessError:
                pass
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)
