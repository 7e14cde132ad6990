"""When each new inbox entry became visible to a reader.

The inbox row's `created_at` is the dispatcher's decision time, taken inside
its transaction; nobody can read the row until that transaction commits. The
insert trigger's NOTIFY on `reminder_inbox` (migration 098) is delivered only
at commit, so the moment a listener hears it is when the row became visible:
that is the in-app end of the latency the load run reports.

The listener's own backend is PostgreSQL work for the harness, not for the
stack: its client name lets the CPU figures leave it out.
"""
import json
import threading
import time

import psycopg

CLIENT_NAME = "load inbox listener"
CHANNEL = "reminder_inbox"


class InboxCommitListener:
    """LISTENs on the inbox channel in a thread of its own and notes when each notification arrived."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.heard = []  # (time.time(), payload): parsed after the run, to keep the loop cheap
        self.error = None  # the last error; after a reconnect the listener goes on
        self.reconnects = 0
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = None

    def start(self, timeout=10.0):
        """Returns once the LISTEN is in force; raises when it could not be."""
        self._thread = threading.Thread(target=self._listen, name="inbox-listener", daemon=True)
        self._thread.start()
        if not self._listening.wait(timeout):
            raise RuntimeError(f"inbox listener: no LISTEN within {timeout} s ({self.error})")
        if not self._thread.is_alive():
            raise RuntimeError(f"inbox listener: {self.error}")

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _listen(self):
        # A fault run restarts PostgreSQL: listen again as soon as it answers.
        # Inserts committed while no listener was connected are not heard;
        # the latency's n then falls short of the inbox rows, which shows it.
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True, application_name=CLIENT_NAME,
                                     connect_timeout=2) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.2):
                            self.heard.append((time.time(), notify.payload))
            except psycopg.OperationalError as error:
                self.reconnects += 1
                self.error = repr(error)
                self._stop.wait(0.1)
            except Exception as error:
                self.error = repr(error)
                self._listening.set()
                return

    def visible_at(self):
        """{inbox entry id: when its insert's notification arrived}; later
        notifications about the same entry (dismissed, acknowledged…) are not inserts."""
        return visible_at(self.heard)


def visible_at(heard):
    out = {}
    for t, payload in heard:
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if isinstance(data, dict) and "id" in data and not data.get("changed"):
            out.setdefault(data["id"], t)
    return out
