"""Repeated sends at the sinks, attributed to the fault or scale event before
them, and the scaling acceptance: no repeated send from a join or a SIGTERM,
at most one per SIGKILL. Small hand-made data sets; one of them must fail."""
from load import invariants

E1 = "11111111-1111-4111-8111-111111111111"
E2 = "22222222-2222-4222-8222-222222222222"
MID1 = f"reminder.{E1}.user.7.email@load.test"
MID2 = f"reminder.{E2}.user.8.email@load.test"


def snap(smtp=(), http=(), posts_sent=None):
    """Only what repeated_sends reads: the sinks and the Mattermost deliveries recorded sent."""
    deliveries = [{"channel": "mattermost", "status": "sent", "sag_id": sag}
                  for sag, count in (posts_sent or {}).items() for _ in range(count)]
    return {"smtp": list(smtp), "http": list(http), "deliveries": deliveries}


def scale(t, kind, instance):
    return {"t": t, "kind": kind, "role": instance.rsplit("-", 1)[0], "instance": instance}


def attribute(data, faults=(), scale_events=()):
    return invariants.attribute_repeats(invariants.repeated_sends(data), faults, scale_events)


def test_repeats_are_found_per_message_id_and_per_case():
    data = snap(smtp=[{"t": 1.0, "message_id": MID1}, {"t": 5.0, "message_id": MID1}, {"t": 2.0, "message_id": MID2}],
                http=[{"t": 1.0, "status": 200, "sag": 3}, {"t": 2.0, "status": 500, "sag": 3},
                      {"t": 7.0, "status": 200, "sag": 3}, {"t": 3.0, "status": 200, "sag": 4}],
                posts_sent={3: 1, 4: 1})
    # The later copy is the repeat: the e-mail at 5 s, the post at 7 s.
    assert invariants.repeated_sends(data) == [("email", 5.0), ("webhook", 7.0)]


def test_one_repeat_after_a_sigkill_meets_the_acceptance():
    data = snap(smtp=[{"t": 10.0, "message_id": MID1}, {"t": 14.0, "message_id": MID1}])
    events = [scale(5.0, "join", "email-3"), scale(8.0, "sigterm", "email-1"), scale(12.0, "sigkill", "email-2")]
    result = attribute(data, scale_events=events)
    assert result["by_kind"] == {"sigkill": 1}
    assert result["per_event"] == [{"fault": "sigkill email-2", "kind": "sigkill", "t": 12.0, "channel": "email", "count": 1}]
    assert [e["repeats"] for e in result["per_scale_event"]] == [0, 0, 1]
    assert invariants.scale_acceptance(result) == {"ok": True, "problems": []}


def test_a_repeat_after_a_join_fails_the_acceptance():
    data = snap(smtp=[{"t": 10.0, "message_id": MID1}, {"t": 14.0, "message_id": MID1}])
    events = [scale(12.0, "join", "email-3")]
    result = attribute(data, scale_events=events)
    assert result["by_kind"] == {"join": 1}
    acceptance = invariants.scale_acceptance(result)
    assert not acceptance["ok"]
    assert acceptance["problems"] == ["1 repeated send(s) after join email-3"]


def test_a_repeated_post_after_a_sigterm_fails_the_acceptance():
    data = snap(http=[{"t": 3.0, "status": 200, "sag": 3}, {"t": 9.0, "status": 200, "sag": 3}], posts_sent={3: 1})
    events = [scale(2.0, "sigkill", "mattermost-1"), scale(6.0, "sigterm", "mattermost-2")]
    result = attribute(data, scale_events=events)
    assert result["by_kind"] == {"sigterm": 1}
    acceptance = invariants.scale_acceptance(result)
    assert not acceptance["ok"] and "sigterm mattermost-2" in acceptance["problems"][0]


def test_two_repeats_after_one_sigkill_fail_the_acceptance():
    data = snap(smtp=[{"t": 10.0, "message_id": MID1}, {"t": 14.0, "message_id": MID1},
                      {"t": 11.0, "message_id": MID2}, {"t": 15.0, "message_id": MID2}])
    result = attribute(data, scale_events=[scale(12.0, "sigkill", "email-1")])
    assert result["per_scale_event"][0]["repeats"] == 2
    acceptance = invariants.scale_acceptance(result)
    assert not acceptance["ok"] and "at most 1" in acceptance["problems"][0]


def test_only_events_of_the_channels_worker_or_shared_outages_count():
    data = snap(smtp=[{"t": 10.0, "message_id": MID1}, {"t": 20.0, "message_id": MID1}])
    # After the e-mail worker's SIGKILL come a dispatcher join and a Mattermost
    # worker's SIGTERM: neither sends e-mail, so the repeat stays with the SIGKILL.
    events = [scale(12.0, "sigkill", "email-2"), scale(15.0, "join", "dispatcher-3"), scale(18.0, "sigterm", "mattermost-1")]
    result = attribute(data, scale_events=events)
    assert result["by_kind"] == {"sigkill": 1}
    assert invariants.scale_acceptance(result)["ok"]
    # A database restart after the SIGKILL can cause it on any channel: the repeat is the restart's.
    faults = [{"start": 16.0, "kind": "pg", "detail": "restart -m immediate"}]
    result = attribute(data, faults=faults, scale_events=events)
    assert result["by_kind"] == {"pg": 1}
    assert result["per_event"][0]["fault"] == "pg restart -m immediate"
    assert invariants.scale_acceptance(result)["ok"]


def test_faults_alone_are_attributed_as_before():
    data = snap(smtp=[{"t": 1.0, "message_id": MID1}, {"t": 9.0, "message_id": MID1}],
                http=[{"t": 3.0, "status": 200, "sag": 3}, {"t": 8.0, "status": 200, "sag": 3}], posts_sent={3: 1})
    faults = [{"start": 5.0, "kind": "kill", "detail": "email"}, {"start": 6.0, "kind": "kill", "detail": "dispatcher"}]
    result = attribute(data, faults=faults)
    by_channel = {r["channel"]: r for r in result["per_event"]}
    assert by_channel["email"]["fault"] == "kill email"
    assert by_channel["webhook"]["fault"] == "none"  # nothing before it could cause a repeated post
    assert result["by_kind"] == {"kill": 1, "none": 1}
    assert result["per_scale_event"] == []
    # With nothing to explain it, a repeat fails the scaling acceptance too.
    assert not invariants.scale_acceptance(result)["ok"]


def test_no_repeats_no_problems():
    result = attribute(snap(smtp=[{"t": 1.0, "message_id": MID1}]), scale_events=[scale(0.5, "join", "email-2")])
    assert result["by_kind"] == {} and result["per_scale_event"][0]["repeats"] == 0
    assert invariants.scale_acceptance(result)["ok"]
