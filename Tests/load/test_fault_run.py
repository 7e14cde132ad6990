"""The short fault run (≤ 2 minutes): the whole pipeline on private servers
under load at 40 changes/s, with the dispatcher and the e-mail worker killed
(SIGKILL) and restarted, the broker paused for 10 s (SIGSTOP/SIGCONT: the test
broker keeps its data in memory only, so it is paused rather than restarted),
the SMTP sink down for 10 s and the webhook answering 429 then 500 for 10 s.
The invariant must hold once the run drains."""
import os
import tempfile

import pytest

from load import __main__ as cli
from load import run as runner
from load.stack import SERVICE_ROLES

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(autouse=True)
def debug_binary(monkeypatch):
    # The binary scripts/test.sh has just built, unless REMINDERS_BIN names another.
    if not os.environ.get("REMINDERS_BIN"):
        monkeypatch.setenv("REMINDERS_BIN", os.path.join(ROOT, ".build", "debug", "reminders"))
    assert os.path.exists(os.environ["REMINDERS_BIN"]), "build the reminders binary first (swift build)"


def test_short_fault_run_keeps_the_invariant():
    with tempfile.TemporaryDirectory(prefix="load-test-") as out:
        result = runner.execute(cli.short_profile(seed=7), out, "short-fault-run", log=print)
    invariant = result["invariant"]
    assert invariant["ok"], invariant["violations"]
    # Every planned fault happened, and the run really carried load through them.
    assert [f["kind"] for f in result["faults"] if f["ok"]].count("kill") == 2
    assert {f["kind"] for f in result["faults"] if f["ok"]} == {"kill", "broker", "smtp", "webhook"}
    stats = invariant["stats"]
    assert stats["firings"] >= 0.9 * 40 * 45
    assert stats.get("outcome.email.sent", 0) > 0 and stats.get("outcome.mattermost.sent", 0) > 0
    # In-app notifications still arrive, written by the dispatcher: no frontend process ran.
    assert stats.get("outcome.frontend.sent", 0) > 0
    assert {i["role"] for i in result["instances"]["list"]} == set(SERVICE_ROLES)
    # PostgreSQL's CPU is split by the role behind each connection.
    by_client = result["cpu"]["load"]["postgres_seconds_by_client"]
    assert by_client.get("load driver", 0) > 0 and by_client.get("reminders dispatcher", 0) > 0, by_client
    # Every in-app row of the driven changes was heard when it committed, and
    # no earlier than the decision inside its transaction.
    latency = result["analysis"]["latency_ms"]
    assert latency["inbox"]["n"] == latency["inbox_decision"]["n"] > 0, latency
    assert latency["inbox"]["p50"] >= latency["inbox_decision"]["p50"], latency
    assert "load inbox listener" in by_client, by_client
    steady = result["analysis"]["steady"]
    assert steady["recipient_pairs_per_s"] >= steady["notifications_per_s"] > 0, steady
    assert stats["webhook posts answered otherwise"] > 0  # the 429/500 window was hit
    assert result["drained"]
    # Recovery is measured for every fault, on the channels it affects (the
    # figures are reported, not asserted: a timing target is no test).
    records = result["analysis"]["recovery"]
    assert sorted(r["fault"] for r in records) == sorted(f"{f['kind']} {f['detail']}" for f in result["faults"])
    assert all(f["start"] <= f["restored"] < result["t_driver_end"] for f in result["faults"])
    broker = next(r for r in records if r["kind"] == "broker")
    assert set(broker["channels"]) == {"email", "webhook", "inbox"}
    assert all(c["status"] in ("measured", "no traffic") for r in records for c in r["channels"].values())
    assert not [e for e in result["unexpected_exits"] if e.get("code") not in (None, -9)]
