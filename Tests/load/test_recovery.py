"""Recovery after a fault: from the fault's end to the first delivery that
arrives after it at each affected channel's sink. Hand-made time lines; the
fault schedule that leaves load after the last fault; the report's table."""
import random

import pytest

from load import __main__ as cli
from load import analysis, recovery, report, run
from load.recovery import Arrival
from load.stack import SERVICE_ROLES


def fault(kind, detail, start, restored, **extra):
    return dict({"kind": kind, "detail": detail, "start": start, "end": restored, "restored": restored, "ok": True},
                **extra)


def steady(first, last, every=0.5):
    """Arrivals every `every` seconds from `first` to `last`."""
    n = int(round((last - first) / every))
    return [first + k * every for k in range(n + 1)]


def test_the_first_arrival_after_the_end_counts_and_earlier_ones_do_not():
    # Traffic until the pause at 100, a straggler during it, then the end at 110.
    arrivals = [Arrival(t) for t in steady(90, 99.5) + [104.0, 110.0, 113.25, 113.5]]
    figure = recovery.channel_recovery(110.0, arrivals, start=100.0)
    # 104 (during the fault) and 110 (at the end itself) are not after the end.
    assert figure["s"] == 3.25
    assert figure["first"] == 113.25
    assert figure["status"] == "measured"


def test_no_traffic_before_the_fault_is_not_a_figure():
    # Nothing arrived in the 5 s before the fault began: a later arrival says nothing about recovery.
    arrivals = [Arrival(t) for t in [80.0, 81.0, 112.0]]
    figure = recovery.channel_recovery(110.0, arrivals, start=100.0)
    assert figure["s"] is None and figure["status"] == "no traffic"
    assert recovery.cell(figure) == "n/a (no traffic)"


def test_no_arrival_after_the_end_is_not_a_figure():
    arrivals = [Arrival(t) for t in steady(95, 99.5)]
    figure = recovery.channel_recovery(110.0, arrivals, start=100.0)
    assert figure["s"] is None and figure["status"] == "no traffic"


def test_after_an_upstream_kill_only_work_it_did_after_its_restart_counts():
    # The dispatcher died at 50 and was spawned again at 50.6; deliveries it had
    # decided before dying still arrive at 50.8 and 52; the new one's first at 54.
    arrivals = [Arrival(t, decided=t - 0.05) for t in steady(45, 49.5)]
    arrivals += [Arrival(50.8, decided=49.9), Arrival(52.0, decided=49.95), Arrival(54.0, decided=53.9)]
    assert recovery.channel_recovery(50.6, arrivals, start=50.0, stage="decided")["s"] == pytest.approx(3.4)
    # Without that rule the stragglers would pass for recovery.
    assert recovery.channel_recovery(50.6, arrivals, start=50.0)["s"] == pytest.approx(0.2)
    # A relay kill counts by publication; an arrival with an unknown publication never counts.
    relayed = [Arrival(t, published=None) for t in steady(45, 52)] + [Arrival(53.0, published=52.5)]
    assert recovery.channel_recovery(50.6, relayed, start=50.0, stage="published")["s"] == pytest.approx(2.4)


def test_affected_channels_and_targets():
    assert recovery.affected_channels("broker", "SIGSTOP") == ("email", "webhook", "inbox")
    assert recovery.affected_channels("kill", "email") == ("email",)
    assert recovery.affected_channels("kill", "mattermost") == ("webhook",)
    assert recovery.affected_channels("kill", "dispatcher") == ("email", "webhook", "inbox")
    assert recovery.affected_channels("kill", "relay") == ("email", "webhook", "inbox")
    assert recovery.affected_channels("kill", "scheduler") == ()
    assert recovery.affected_channels("smtp", "down") == ("email",)
    assert recovery.affected_channels("webhook", "429 then 500") == ("webhook",)
    assert recovery.target_s("broker", "SIGSTOP") == 3
    assert recovery.target_s("kill", "dispatcher") == 5 and recovery.target_s("kill", "email") == 5
    assert recovery.target_s("kill", "relay") is None and recovery.target_s("smtp", "down") is None
    # The inbox has no worker: the dispatcher writes its rows, so among the
    # roles only the stages up to the decision interrupt it.
    assert [role for role in SERVICE_ROLES if "inbox" in recovery.affected_channels("kill", role)] == ["relay", "dispatcher"]
    assert "frontend" not in recovery.CONSUMER_ROLES and "inbox" not in recovery.WORKER_CHANNEL.values()


def test_fault_recoveries_per_fault_and_channel():
    arrivals = {
        # E-mail: the SMTP sink was down 20–30; the first e-mail after it at 31.5.
        "email": steady(0, 19.5) + steady(31.5, 80),
        # Posts: steady but for the broker pause 40–50, back at 62 (12 s);
        # none after the Mattermost worker's restart at 70.5.
        "webhook": steady(0, 39.5) + steady(62, 69.5),
        # Inbox: back 1.5 s after SIGCONT, and on through the worker's kill (it has no worker).
        "inbox": steady(0, 39.5) + steady(51.5, 80),
    }
    faults = [fault("broker", "SIGSTOP", 40.0, 50.0), fault("smtp", "down", 20.0, 30.0),
              fault("kill", "mattermost", 70.0, 70.5, instance="mattermost-1"), fault("kill", "scheduler", 75.0, 75.5)]
    records = recovery.fault_recoveries(faults, arrivals, load_end=85.0)
    assert [r["fault"] for r in records] == ["smtp down", "broker SIGSTOP", "kill mattermost", "kill scheduler"]
    smtp, broker, mattermost, scheduler = records
    assert smtp["channels"]["email"]["s"] == 1.5 and smtp["target_s"] is None
    assert broker["target_s"] == 3
    assert {c: f["s"] for c, f in broker["channels"].items()} == {"email": 0.5, "webhook": 12.0, "inbox": 1.5}
    assert list(mattermost["channels"]) == ["webhook"] and mattermost["channels"]["webhook"]["s"] is None
    assert mattermost["load_after_end_s"] == 14.5
    assert scheduler["channels"] == {} and scheduler["note"]
    lines = recovery.summary_lines(records)
    assert lines[1] == "recovery broker SIGSTOP (target 3 s): email 0.50 s, webhook 12.0 s (over 3 s), inbox 1.5 s"
    assert lines[2] == "recovery kill mattermost (target 5 s): webhook n/a (no traffic)"


def test_after_a_relay_kill_an_inbox_row_counts_by_its_firings_publication():
    # An inbox row has no delivery message: the relay's part in it is the
    # firing it published. The relay died at 50 and was spawned again at 50.5;
    # E1 and E2 were published before (E2's row still arrives after the
    # restart, at 50.75), E3 after it (at 51.0), its row at 51.25.
    e1, e2, e3 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", \
        "33333333-3333-4333-8333-333333333333"
    published = [{"topic": "reminders.fired", "event_id": e, "delivery_id": None, "published_at": t}
                 for e, t in ((e1, 46.0), (e2, 49.75), (e3, 51.0))]
    fired_at = {e1: 46.25, e2: 50.5, e3: 51.125}
    rows = {e1: 46.5, e2: 50.75, e3: 51.25}
    snap = {"smtp": [], "http": [], "published": published,
            "inbox": [{"delivery_id": f"{e}:user:7:frontend", "created_at": t} for e, t in rows.items()]}
    inbox = analysis.arrivals(snap, {}, fired_at, {})["inbox"]
    assert inbox == [Arrival(46.5, 46.25, 46.0), Arrival(50.75, 50.5, 49.75), Arrival(51.25, 51.125, 51.0)]
    record = recovery.fault_recoveries([fault("kill", "relay", 50.0, 50.5)], {"inbox": inbox})[0]
    assert record["channels"]["inbox"]["s"] == 0.75
    # Counted by arrival alone, E2's row (published before the kill) would pass for recovery.
    assert recovery.channel_recovery(50.5, inbox, start=50.0)["s"] == 0.25


def test_a_fault_under_way_before_the_first_arrival_is_named():
    # The e-mail worker is killed at 20 (spawned again at 20.5), and the SMTP
    # sink goes down at 22 until 35 before anything arrived: the kill's figure
    # is not its own.
    arrivals = {"email": steady(0, 19.5) + steady(35.5, 60)}
    smtp, kill = None, None
    for record in recovery.fault_recoveries([fault("smtp", "down", 22.0, 35.0), fault("kill", "email", 20.0, 20.5)],
                                            arrivals):
        smtp, kill = (record, kill) if record["kind"] == "smtp" else (smtp, record)
    assert kill["channels"]["email"]["s"] == 15.0
    assert kill["channels"]["email"]["overlapped_by"] == ["smtp down"]
    assert smtp["channels"]["email"]["s"] == 0.5
    assert smtp["channels"]["email"]["overlapped_by"] == []
    assert recovery.cell(kill["channels"]["email"], 5) == "15.0 s (over 5 s) (with smtp down)"
    assert recovery.cell(kill["channels"]["email"], 5, markdown=True) == "**15.0 s** (over 5 s) (with smtp down)"


def test_a_failed_fault_is_not_measured():
    broken = dict(fault("kill", "email", 10.0, None), ok=False)
    record = recovery.fault_recoveries([broken], {"email": steady(0, 20)})[0]
    assert record["channels"] == {} and "not measured" in record["note"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_fault_run_schedule_leaves_load_after_each_fault(seed):
    profile = cli.fault_profile(100, 150, run.ALL_FAULTS, seed)
    plan = run.fault_plan(profile, random.Random(seed))
    assert len(plan) == 9
    # A kill of every service, and only of those that run (no in-app worker).
    assert sorted(detail for _, kind, detail, _ in plan if kind == "kill") == sorted(SERVICE_ROLES)
    assert plan == run.fault_plan(profile, random.Random(seed))  # seeded
    spans = [(at, at + length + run.FAULT_OVERHEAD_S.get(kind, 0)) for at, kind, _, length in plan]
    assert spans[0][0] >= 15
    # One after another, never two at once; the last over 15 s before the load stops.
    assert all(b[0] >= a[1] + 3 for a, b in zip(spans, spans[1:]))
    assert spans[-1][1] <= 150 - 15 + 1e-6


def test_the_short_schedule_overlaps_but_still_ends_before_the_load():
    profile = cli.short_profile(seed=7)
    plan = run.fault_plan(profile, random.Random(7))
    ends = [at + length + run.FAULT_OVERHEAD_S.get(kind, 0) for at, kind, _, length in plan]
    assert max(ends) <= 45 - 10 + 1e-6
    assert min(at for at, *_ in plan) >= 4.5


def test_the_report_table_marks_figures_over_the_target():
    def result(name, broker_email, kill_email):
        return {"name": name, "analysis": {"recovery": [
            {"fault": "broker SIGSTOP", "kind": "broker", "detail": "SIGSTOP", "target_s": 3.0,
             "channels": {"email": {"s": broker_email, "overlapped_by": []},
                          "inbox": {"s": 1.0, "overlapped_by": []}}},
            {"fault": "kill email", "kind": "kill", "detail": "email", "target_s": 5.0,
             "channels": {"email": {"s": kill_email, "overlapped_by": []}}},
            {"fault": "kill scheduler", "kind": "kill", "detail": "scheduler", "target_s": None, "channels": {},
             "note": "no channel"}]}}
    results = {"fault-1": result("fault-1", 2.0, 4.0), "fault-2": result("fault-2", 11.2, None),
               "fault-3": result("fault-3", 2.5, 4.5)}
    md = report.recovery_table(results, ["fault-1", "fault-2", "fault-3"])
    rows = [line for line in md if line.startswith("| broker") or line.startswith("| kill")]
    assert rows[0] == "| broker SIGSTOP | email | 2.0 s | **11.2 s** (over 3 s) | 2.5 s | ≤ 3 s | **no** |"
    assert rows[1] == "| broker SIGSTOP | inbox | 1.0 s | 1.0 s | 1.0 s | ≤ 3 s | yes |"
    assert rows[2] == "| kill email | email | 4.0 s | n/a (no traffic) | 4.5 s | ≤ 5 s | not measured in every run |"
    assert rows[3].startswith("| kill scheduler | — |")
    targets = report.recovery_targets(results)
    assert len(targets) == 2 and targets[0].endswith("| no |") and "worst 11.2 s" in targets[0]


def test_the_fault_run_keeps_recipients_under_the_limit_to_the_end():
    # Each reminder fires at most about three times in the run, so most
    # recipients stay under the hourly limit of 5 and the channels carry
    # deliveries after the last fault (with 1,200 cases they fell silent at 120 s).
    profile = cli.fault_profile(100, 150, run.ALL_FAULTS, 1)
    seconds_between_firings = 2 * profile.cases / profile.rate
    assert profile.duration / seconds_between_firings <= 3.01
    assert cli.short_profile().cases == 600  # given explicitly
