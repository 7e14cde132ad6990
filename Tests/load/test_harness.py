"""The harness's own pieces that need no servers: the recipient mix, the
instance and scale plans, the metrics scrape, CPU windows and the
per-instance plot."""
import os
import random
import tempfile

import pytest

from load import __main__ as cli
from load import analysis, inbox_listener, run, scrape, workload
from load.stack import SERVICE_ROLES


@pytest.mark.parametrize("mean", [1.0, 1.15, 2.5, 4.0, 7.3])
def test_recipient_counts_have_the_asked_mean(mean):
    counts = workload.recipient_counts(2000, mean, random.Random(3))
    assert len(counts) == 2000
    assert set(counts) <= {int(mean), int(mean) + 1}
    assert abs(sum(counts) / len(counts) - mean) < 0.001


def test_parse_instances():
    assert cli.parse_instances("email=2, dispatcher=3") == {"email": 2, "dispatcher": 3}
    assert cli.parse_instances("") == {}
    for bad in ("gateway=2", "email", "email=0", "email=two", "frontend=2"):
        with pytest.raises(SystemExit):
            cli.parse_instances(bad)


def test_the_frontend_role_is_refused_with_the_reason(monkeypatch):
    # In-app notifications have no worker any more: the dispatcher writes them.
    with pytest.raises(SystemExit) as refused:
        cli.parse_instances("email=2,frontend=2")
    message = str(refused.value)
    assert "ROLE one of relay, scheduler, dispatcher, email, mattermost (" in message
    assert "no frontend worker" in message
    assert "frontend" not in SERVICE_ROLES and set(scrape.METRIC_BY_ROLE) == set(SERVICE_ROLES)
    # Settings for it would be dropped silently: refused before any stack starts.
    monkeypatch.setattr(cli.runner, "execute", lambda *a, **k: pytest.fail("a run started"))
    with pytest.raises(SystemExit) as refused:
        cli.main(["run", "--env", "frontend:LOG_LEVEL=debug"])
    assert refused.value.code == 2


def test_scale_plan_orders_join_sigterm_sigkill_per_role_within_the_load():
    profile = run.Profile(rate=30, duration=40, instances={"email": 2, "dispatcher": 1}, scale_events=True)
    plan = run.scale_plan(profile, random.Random(5))
    assert len(plan) == 6
    for role in ("email", "dispatcher"):
        mine = [(at, kind) for at, kind, r, _ in plan if r == role]
        assert [kind for _, kind in mine] == ["join", "sigterm", "sigkill"]
        assert all(0.1 * 40 <= at <= 0.85 * 40 for at, _ in mine)
    assert plan == run.scale_plan(profile, random.Random(5))  # seeded
    assert run.scale_plan(run.Profile(instances={"email": 2}), random.Random(5)) == []


def test_users_grow_with_the_recipients():
    faulty = run.Profile(rate=100, duration=150, faults=("kill",), recipients=4)
    assert faulty.users == 20000  # 100 × 150 × 4 / 3: about three notifications a user
    clean = cli.throughput_profile(300, 40)
    clean.recipients = 4
    clean.fit_users()
    # The limit is raised, and an average user still gets about five, as under the default limit.
    assert clean.limit == 10_000 and clean.users == 300 * 40 * 4 // 5 + 1
    clean.limit = 5
    clean.fit_users()
    assert clean.users >= 300 * 40 * 4 / 1.25
    given = cli.throughput_profile(300, 40)
    given.recipients, given.users, given.users_given = 4, 2000, True
    given.fit_users()
    assert given.users == 2000  # --users wins
    assert cli.short_profile().users == 400  # untouched without --recipients


METRICS = """# HELP reminders_messages_processed_total Consumed messages handled and committed, per role and topic.
# TYPE reminders_messages_processed_total counter
reminders_messages_processed_total{role="worker.email",topic="reminders.deliver.email"} 120
reminders_messages_processed_total{role="worker.email",topic="reminders.deliver.email.retry"} 3
reminders_messages_processed_total_other 5
reminders_outbox_published_total{topic="reminders.fired"} 7.0
"""


def test_counter_value_sums_the_label_sets():
    assert scrape.counter_value(METRICS, "reminders_messages_processed_total") == 123
    assert scrape.counter_value(METRICS, "reminders_outbox_published_total") == 7
    assert scrape.counter_value(METRICS, "reminders_scheduler_fired_total") is None


def test_per_second_spreads_increases_and_restarts_from_zero():
    # pid 1: 0 → 10 → 30 over [100, 102], then killed; pid 2, born at 103.5,
    # has counted 4 at 104.5 and 10 at 105.5 (its counter starts at zero).
    samples = [(100.0, 1, 0.0), (101.0, 1, 10.0), (102.0, 1, 30.0), (104.5, 2, 4.0), (105.5, 2, 10.0)]
    series = scrape.per_second(samples, start=99, bins=8, births={2: 103.5})
    assert series == [None, 10.0, 20.0, None, 2.0, 2.0 + 3.0, 3.0, None]
    assert sum(v for v in series if v) == 40


def test_cpu_window_and_cost():
    before = {("postgres", "postgres", 10): 5.0, ("email", "email-1", 20): 1.0, ("sinks", "sinks", 30): 2.0}
    after = {("postgres", "postgres", 10): 6.0, ("email", "email-1", 20): 1.5, ("email", "email-2", 21): 0.5,
             ("sinks", "sinks", 30): 9.0}
    window = run.cpu_window(before, after, 100.0, 110.0)
    assert window["seconds_by_role"] == {"email": 1.0, "postgres": 1.0, "sinks": 7.0}
    assert window["seconds_by_instance"]["email-2"] == 0.5
    cost = analysis.cpu_cost({"load": window}, dispatched_t=[99.0, 100.0, 105.0, 109.9, 110.0, 111.0])
    assert cost["load"]["notifications"] == 3
    assert cost["load"]["stack_cpu_ms"] == 2000.0  # the sinks are not counted
    assert cost["load"]["ms_per_notification"] == pytest.approx(2000 / 3, abs=1e-3)


def test_cpu_cost_leaves_out_the_inbox_listeners_backend():
    window = {"from": 0.0, "to": 10.0, "seconds_by_role": {"postgres": 3.0, "email": 1.0},
              "postgres_seconds_by_client": {"load driver": 1.0, inbox_listener.CLIENT_NAME: 0.5}}
    cost = analysis.cpu_cost({"load": window}, dispatched_t=[1.0, 2.0])
    assert cost["load"]["stack_cpu_ms"] == 3500.0
    assert inbox_listener.CLIENT_NAME in cost["load"]["not_counted"]


def test_inbox_visibility_takes_the_first_notification_of_each_insert():
    heard = [
        (10.0, '{"user_id" : 7, "id" : 1}'),
        (10.5, '{"user_id" : 7, "id" : 2}'),
        (11.0, '{"user_id" : 7, "id" : 1, "changed" : true}'),  # a dismissal, not the insert
        (11.5, '{"reminder_id" : 3}'),                          # a reminder stopped
        (12.0, 'not json'),
        (12.5, '{"user_id" : 8, "id" : 2}'),                    # heard twice: the first counts
        (13.0, '[1, 2]'),
    ]
    assert inbox_listener.visible_at(heard) == {1: 10.0, 2: 10.5}


def test_cpu_window_splits_postgres_by_client():
    cpu = {("postgres", "postgres", 10): 5.0}
    before = {("load driver", 101): 1.0, ("reminders dispatcher", 102): 2.0, ("reminders dispatcher", 103): 0.5}
    # Backend 103 ended (its last value stays), 104 is a new connection of the dispatcher's.
    after = {("load driver", 101): 4.0, ("reminders dispatcher", 102): 3.5, ("reminders dispatcher", 103): 0.5,
             ("reminders dispatcher", 104): 0.25, ("autovacuum worker", 105): 0.125}
    window = run.cpu_window(cpu, cpu, 100.0, 110.0, before, after)
    assert window["postgres_seconds_by_client"] == {"load driver": 3.0, "reminders dispatcher": 1.75, "autovacuum worker": 0.125}
    assert list(window["postgres_seconds_by_client"]) == ["load driver", "reminders dispatcher", "autovacuum worker"]
    assert "postgres_seconds_by_client" not in run.cpu_window(cpu, cpu, 100.0, 110.0)
    lines = analysis.summary_lines({"cpu": {"load": dict(window, stack_cpu_ms=0.0, notifications=0)}})
    assert "PostgreSQL by client over the load: load driver 3.0, reminders dispatcher 1.8, autovacuum worker 0.1 s" in lines


def test_cpu_percent_series_per_window():
    series = [(100.0, {"tansu": 0.0}), (105.0, {"tansu": 1.0}), (110.0, {"tansu": 2.0, "email": 1.0}),
              (120.0, {"tansu": 6.0, "email": 1.5})]
    by_role = run.cpu_percent_series(series, 100.0, 120.0)
    assert by_role == {"email": [10.0, 5.0], "tansu": [20.0, 40.0]}
    # A boundary between samples uses the last sample before it; a window
    # without two distinct samples is None.
    assert run.cpu_percent_series(series, 100.0, 120.0, step=5.0)["tansu"] == [20.0, 20.0, None, 40.0]
    assert run.cpu_percent_series([], 0.0, 20.0) == {}
    lines = analysis.summary_lines({"cpu_percent_per_10s": {"by_role": {"tansu": [20.0, None]}}})
    assert "CPU per 10 s over the load, % of one core: tansu 20 —" in lines


def test_plot_instances_draws_a_png():
    from load import report
    t0 = 1000.0
    result = {
        "name": "unit", "t0": t0, "t_load_end": t0 + 10,
        "instances": {"throughput": {
            "start": 995, "roles": {"email-1": "email", "email-2": "email", "relay-1": "relay"},
            "metric": {"email-1": scrape.PROCESSED, "email-2": scrape.PROCESSED,
                       "relay-1": "reminders_outbox_published_total"},
            "series": {"email-1": [None] + [5.0] * 15, "email-2": [None] * 8 + [3.0] * 8, "relay-1": [9.0] * 16}}},
        "scale_events": [{"t": t0 + 3, "role": "email", "instance": "email-2", "kind": "join"},
                         {"t": t0 + 7, "role": "email", "instance": "email-1", "kind": "sigkill"}],
        "faults": [],
    }
    assert report.has_instance_data(result)
    with tempfile.TemporaryDirectory() as folder:
        assert report.plot_instances(result, folder) == "load/unit-instances.png"
        with open(os.path.join(folder, "unit-instances.png"), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
