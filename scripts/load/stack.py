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

# In-app notifications have no worker: the dispatcher writes their inbox rows
# in the transaction of its decision.
SERVICE_ROLES = {
    "relay": ["relay"],
    "scheduler": ["scheduler"],
    "dispatcher": ["dispatcher"],
    "email": ["worker", "email"],
    "mattermost": ["worker", "mattermost"],
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


def read_cpu_seconds(pid, waited_children=False):
    """User + system CPU seconds of a process; with `waited_children`, plus
    those of its children that exited and were waited for (cutime, cstime)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if waited_children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def process_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Instance:
    """One process of a role (`email-2`: the e-mail worker's second
    instance). A restart after a kill fault keeps the name and the log file;
    each start gets a free METRICS_PORT of its own."""

    def __init__(self, role, number):
        self.role = role
        self.number = number
        self.name = f"{role}-{number}"
        self.process = None
        self.metrics_port = None
        self.starts = []      # (t, pid, metrics port)
        self.stopped = None   # t of a deliberate stop (scale event)
        self.stop = None      # "sigterm" | "sigkill" for a deliberate stop
        self.stopping = False  # a deliberate stop is under way: only its caller reaps the process

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def running(self):
        """True while the process lives (never reaps one that is being stopped)."""
        if self.process is None:
            return False
        if self.stopping:
            return self.process.returncode is None and process_state(self.process.pid) not in (None, "Z")
        return self.process.poll() is None

    def as_dict(self):
        return {"name": self.name, "role": self.role, "starts": [{"t": t, "pid": pid, "metrics_port": port}
                                                                for t, pid, port in self.starts],
                "stopped": self.stopped, "stop": self.stop, "log": f"{self.name}.log",
                "exit_code": self.process.returncode if self.process else None}


class Stack:
    """One private stack. `start()` brings everything up; `close()` tears it down."""

    def __init__(self, settings=None, keep=False, log=print, role_settings=None, instances=None):
        # Instances per role at the start (every role at least one).
        self.initial_instances = {role: max(1, int((instances or {}).get(role, 1))) for role in SERVICE_ROLES}
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
        self.instances = {}  # name -> Instance, in start order
        self._numbers = {}   # role -> last instance number given
        self._lock = threading.RLock()
        self.broker = None
        self.sinks = None
        self.ports = {}
        self.peak_rss = {}  # role -> KiB (VmHWM, the kernel's own peak; a role's largest instance)
        self.peak_rss_by_instance = {}  # instance name -> KiB
        # (role, instance, pid) -> user+system CPU seconds last seen; for
        # PostgreSQL one entry per postmaster: its own, its waited-for
        # children's and its live children's, so short-lived backends count.
        self.cpu_seconds = {}
        # PostgreSQL's backends by who they serve: {(client, backend pid): CPU seconds}.
        self.postgres_client_cpu = {}
        self._backend_clients = {}  # backend pid -> client name
        self._activity = None  # the sampler's own connection to pg_stat_activity
        self.rss_samples = []  # (t, role, KiB)
        self.cpu_series = []  # (t, {role: CPU seconds so far}), once a second
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
pg_stat_statements.track_planning = on
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

    def _spawn(self, instance):
        log = open(os.path.join(self.logs, f"{instance.name}.log"), "ab")
        log.write(f"--- start {time.strftime('%H:%M:%S')} ---\n".encode())
        log.flush()
        env = self.service_env()
        env.update({k: str(v) for k, v in self.role_settings.get(instance.role, {}).items()})
        port = free_port()
        env["METRICS_PORT"] = str(port)
        process = subprocess.Popen([self.binary, *SERVICE_ROLES[instance.role]], env=env, cwd=PROJECT_ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        with self._lock:
            instance.process = process
            instance.metrics_port = port
            instance.starts.append((time.time(), process.pid, port))
        return instance

    def start_instance(self, role):
        """A new instance of `role` (a join when the stack is running)."""
        with self._lock:
            number = self._numbers.get(role, 0) + 1
            self._numbers[role] = number
            instance = Instance(role, number)
            self.instances[instance.name] = instance
        return self._spawn(instance)

    def restart_instance(self, name):
        """The same instance again (after a kill fault or an unexpected exit)."""
        return self._spawn(self.instances[name])

    def start_service(self, role):
        """Starts one more instance of `role`."""
        return self.start_instance(role).process

    def wait_serving(self, instance, timeout=20):
        """True once the instance answers on its metrics port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not instance.running():
                return False
            if wait_for_port(instance.metrics_port, 0.5):
                return True
        return False

    def live_instances(self, role=None):
        with self._lock:
            candidates = list(self.instances.values())
        return [i for i in candidates if (role is None or i.role == role) and not i.stopping and i.stop is None
                and i.running()]

    def kill_service(self, role):
        """SIGKILL of one live instance of `role` (the oldest): no shutdown
        handler runs, nothing is flushed or committed. Returns the instance,
        for the caller to restart."""
        live = self.live_instances(role)
        if not live:
            raise RuntimeError(f"no live {role} instance to kill")
        instance = live[0]
        self._signal_and_reap(instance, signal.SIGKILL, timeout=10)
        instance.stopping = False
        return instance

    def stop_instance(self, instance, kind, timeout=30):
        """A deliberate stop for good: `sigterm` (a clean leave; SIGKILL after
        `timeout` s if it has not exited) or `sigkill` (a crash). Returns a note."""
        with self._lock:
            instance.stopping = True
            instance.stop = kind
            instance.stopped = time.time()
        if kind == "sigterm":
            exited = self._signal_and_reap(instance, signal.SIGTERM, timeout=timeout)
            if not exited:
                self._signal_and_reap(instance, signal.SIGKILL, timeout=10)
                return f"did not exit within {timeout} s of SIGTERM; SIGKILLed"
            return f"exited {instance.process.returncode} after {time.time() - instance.stopped:.1f} s"
        self._signal_and_reap(instance, signal.SIGKILL, timeout=10)
        return "SIGKILL"

    def _signal_and_reap(self, instance, signum, timeout):
        """Signals the process, then reads its final CPU time while it is a
        zombie (before it is reaped), then reaps it. False on a timeout."""
        process = instance.process
        with self._lock:
            instance.stopping = True
        self._sample_once()
        try:
            process.send_signal(signum)
        except OSError:
            pass
        deadline = time.monotonic() + timeout
        while process.returncode is None and process_state(process.pid) not in ("Z", None):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        cpu = read_cpu_seconds(process.pid)
        if cpu is not None:
            with self._lock:
                key = (instance.role, instance.name, process.pid)
                self.cpu_seconds[key] = max(cpu, self.cpu_seconds.get(key, 0.0))
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return True

    def start(self, roles=None):
        self.log(f"stack: {self.base} (postgres {self.pg_port}, broker {self.kafka_port})")
        self.start_postgres()
        self.start_broker()
        self.start_sinks()
        self.run_job("migrate")
        self.run_job("topics")
        for role in roles or SERVICE_ROLES:
            for _ in range(self.initial_instances[role]):
                self.start_instance(role)
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
        self._sampler.start()

    def dead_services(self):
        """Instances that exited by themselves: {instance name: exit code}.
        (Deliberately stopped ones are not counted; a killed one is restarted at once.)"""
        with self._lock:
            candidates = list(self.instances.values())
        return {i.name: i.process.returncode for i in candidates
                if i.stop is None and not i.stopping and i.process.poll() is not None}

    def instance_layout(self):
        with self._lock:
            return [i.as_dict() for i in self.instances.values()]

    # --- memory and CPU ----------------------------------------------------
    def _processes(self):
        """(role, instance name, pid) of every live process of the run."""
        out = [(i.role, i.name, i.pid) for i in self.live_instances()]
        if self.broker and self.broker.poll() is None:
            out.append(("tansu", "tansu", self.broker.pid))
        if self.sinks and self.sinks.poll() is None:
            out.append(("sinks", "sinks", self.sinks.pid))
        return out

    def _sample_once(self):
        now = time.time()
        with self._lock:
            per_role = {}
            for role, name, pid in self._processes():
                cpu = read_cpu_seconds(pid)
                if cpu is not None:
                    self.cpu_seconds[(role, name, pid)] = cpu
                status = read_status(pid)
                if status:
                    value = max(status)  # VmHWM, or RSS where the kernel gives no peak
                    self.peak_rss_by_instance[name] = max(self.peak_rss_by_instance.get(name, 0), value)
                    per_role.setdefault(role, []).append((status[0], value))
            postmaster = self.postmaster_pid()
            if postmaster:
                children = children_of(postmaster)
                own = read_cpu_seconds(postmaster, waited_children=True)
                if own is not None:
                    live = sum(read_cpu_seconds(pid) or 0.0 for pid in children)
                    key = ("postgres", "postgres", postmaster)
                    self.cpu_seconds[key] = max(own + live, self.cpu_seconds.get(key, 0.0))
                self._sample_backends(children)
                rss = 0
                for pid in [postmaster] + children:
                    status = read_status(pid)
                    if status:
                        rss += status[0]
                # For PostgreSQL the sum of RSS over its processes overstates
                # (shared buffers are counted in each); we report the sum of
                # current RSS at its peak, and say so.
                self.peak_rss["postgres"] = max(self.peak_rss.get("postgres", 0), rss)
                self.peak_rss_by_instance["postgres"] = self.peak_rss["postgres"]
                self.rss_samples.append((now, "postgres", rss))
            for role, values in per_role.items():
                self.rss_samples.append((now, role, sum(v[0] for v in values)))
                # Per process: a role's largest instance.
                self.peak_rss[role] = max(self.peak_rss.get(role, 0), max(v[1] for v in values))
            totals = {}
            for (role, _, _), seconds in self.cpu_seconds.items():
                totals[role] = totals.get(role, 0.0) + seconds
            self.cpu_series.append((now, totals))

    def _backend_names(self):
        """{backend pid: client} from pg_stat_activity: the connection's
        application_name (each service names its role), else the backend type."""
        try:
            if self._activity is None or self._activity.closed:
                self._activity = psycopg.connect(self.database_url, autocommit=True, connect_timeout=1,
                                                 application_name="load sampler")
            return {pid: name for pid, name in self._activity.execute(
                "SELECT pid, COALESCE(NULLIF(application_name, ''), backend_type) FROM pg_stat_activity")}
        except psycopg.Error:
            # Restarting under a fault: the names already known stay.
            if self._activity is not None:
                self._activity.close()
            self._activity = None
            return {}

    def _sample_backends(self, children):
        """PostgreSQL's CPU split by client, so a run shows which stage's
        statements the database spends its time on. Called with the lock held."""
        unknown = [pid for pid in children if pid not in self._backend_clients]
        if unknown:
            names = self._backend_names()
            for pid in unknown:
                if pid in names:
                    self._backend_clients[pid] = names[pid]
        for pid in children:
            client = self._backend_clients.get(pid)
            cpu = read_cpu_seconds(pid) if client else None
            if cpu is not None:
                self.postgres_client_cpu[(client, pid)] = cpu

    def postgres_client_snapshot(self):
        """{(client, backend pid): CPU seconds} as of the last sample (take it
        right after ``cpu_snapshot``, which samples)."""
        with self._lock:
            return dict(self.postgres_client_cpu)

    def _sample_loop(self):
        while not self._sampler_stop.wait(1.0):
            try:
                self._sample_once()
            except Exception as error:  # sampling must never stop a run
                self.log(f"rss sampler: {error}")

    def cpu_snapshot(self):
        """{(role, instance, pid): CPU seconds} now; processes that have exited keep their last value."""
        self._sample_once()
        with self._lock:
            return dict(self.cpu_seconds)

    def cpu_series_snapshot(self):
        """[(t, {role: CPU seconds so far})], one entry per sample."""
        with self._lock:
            return list(self.cpu_series)

    def cpu_by_role(self):
        totals = {}
        with self._lock:
            for (role, _, _), seconds in self.cpu_seconds.items():
                totals[role] = totals.get(role, 0.0) + seconds
        return totals

    # --- teardown ---------------------------------------------------------
    def close(self):
        self._sampler_stop.set()
        try:
            self._sample_once()
        except Exception:
            pass
        if self._activity is not None:
            self._activity.close()
        if self.broker and self.broker.poll() is None:
            try:
                os.kill(self.broker.pid, signal.SIGCONT)
            except OSError:
                pass
        with self._lock:
            processes = [i.process for i in self.instances.values() if i.process is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 12
        for process in processes:
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
