"""The invariant checker on hand-made data sets: a consistent one passes, and
each deliberately broken one fails with the violation it names."""
import copy
import datetime as dt

from load import invariants

T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.timezone.utc)
E1 = "11111111-1111-4111-8111-111111111111"
E2 = "22222222-2222-4222-8222-222222222222"


def log(event, status, user=None, channel=None, reason="", key=None, at=T0, attempt=0):
    return {"event_id": event, "status": status, "user_id": user, "recipient_email": None, "channel": channel,
            "reason": reason, "dedupe_key": key, "created_at": at, "attempt": attempt}


def consistent():
    """Two firings of reminder 1 (recipient user 7: Mattermost and in-app by default).
    E1 is delivered on both channels (the post after one retry; the in-app rows written by the
    dispatcher with its decision, at its time); E2 is rate limited (limit 1)."""
    d_mm = f"{E1}:user:7:mattermost"
    d_fe = f"{E1}:user:7:frontend"
    later = T0 + dt.timedelta(seconds=1)
    logs = [
        log(E1, "fired", key=f"fired:{E1}"),
        log(E1, "dispatched", user=7, reason="channels: frontend, mattermost", key=f"dispatch:{E1}:user:7:-:dispatched"),
        log(E1, "retrying", user=7, channel="mattermost", key=f"deliver:{d_mm}:0:retrying"),
        log(E1, "sent", user=7, channel="mattermost", key=f"deliver:{d_mm}:1:sent", attempt=1),
        log(E1, "sent", user=7, channel="frontend", key=f"deliver:{d_fe}:0:sent"),
        log(E2, "fired", key=f"fired:{E2}", at=later),
        log(E2, "rate_limited", user=7, reason="1 notifications in the last hour; the limit is 1",
            key=f"dispatch:{E2}:user:7:-:rate_limited", at=later),
    ]
    return {
        "now": T0 + dt.timedelta(minutes=5),
        "firings": [
            {"event_id": E1, "reminder_id": 1, "sag_id": 3, "event_type": "status_change", "status": "sent",
             "recipient_user_id": None, "created_at": T0, "event_data": {}},
            {"event_id": E2, "reminder_id": 1, "sag_id": 3, "event_type": "status_change", "status": "rate_limited",
             "recipient_user_id": None, "created_at": later, "event_data": {}},
        ],
        "logs": logs,
        "deliveries": [
            {"delivery_id": d_mm, "channel": "mattermost", "sag_id": 3, "status": "sent", "message_id": None},
            {"delivery_id": d_fe, "channel": "frontend", "sag_id": 3, "status": "sent", "message_id": None},
        ],
        "inbox": [{"delivery_id": d_fe, "event_id": "33333333-3333-4333-8333-333333333333", "created_at": T0}],
        "held": [],
        "smtp": [],
        "http": [{"t": 1.0, "status": 500, "sag": 3}, {"t": 6.0, "status": 200, "sag": 3}],
        "reminders": {1: {"users": [7], "emails": [], "flags": {"email": None, "mattermost": None, "frontend": None},
                          "override": False}},
        "users": {7: {"prefs": None}},
    }


def kinds(snap, limit=1):
    return set(invariants.check(snap, limit).violations)


def test_consistent_data_set_passes():
    result = invariants.check(consistent(), 1)
    assert result.ok, result.summary()
    assert result.stats["outcome.mattermost.sent"] == 1
    assert result.stats["decision.rate_limited"] == 1


def test_missing_outcome_is_caught():
    snap = consistent()
    snap["deliveries"] = [d for d in snap["deliveries"] if d["channel"] != "frontend"]
    snap["logs"] = [x for x in snap["logs"] if x["channel"] != "frontend"]
    snap["inbox"] = []
    assert "dispatched delivery without an outcome" in kinds(snap)


def test_duplicate_log_row_is_caught():
    snap = consistent()
    row = copy.deepcopy(snap["logs"][3])
    row["dedupe_key"] = row["dedupe_key"] + "-again"
    snap["logs"].append(row)
    found = kinds(snap)
    assert "duplicate log rows" in found
    assert "delivery without exactly one final log row" in found


def test_rate_limit_exceeded_is_caught():
    snap = consistent()
    # E2 dispatched instead of rate limited: two notifications within an hour, limit 1.
    later = T0 + dt.timedelta(minutes=59)
    snap["logs"] = [x for x in snap["logs"] if x["event_id"] != E2 or x["status"] == "fired"]
    snap["logs"].append(log(E2, "dispatched", user=7, reason="channels: frontend", key="k", at=later))
    d = f"{E2}:user:7:frontend"
    snap["logs"].append(log(E2, "sent", user=7, channel="frontend", key=f"deliver:{d}:0:sent", at=later))
    snap["deliveries"].append({"delivery_id": d, "channel": "frontend", "sag_id": 3, "status": "sent", "message_id": None})
    snap["inbox"].append({"delivery_id": d, "event_id": E2, "created_at": later})
    found = kinds(snap)
    assert "rate limit exceeded" in found
    assert "channels differ from preferences" in found  # Mattermost was wanted too


def test_rate_limited_below_the_limit_is_caught():
    assert "rate limited below the limit" in kinds(consistent(), limit=5)


def test_in_flight_work_is_caught():
    snap = consistent()
    snap["held"].append({"delivery_id": "x", "topic": "reminders.deliver.email", "available_at": T0})
    snap["firings"][0]["status"] = "pending"
    snap["deliveries"][0]["status"] = "retrying"
    found = kinds(snap)
    assert {"due outbox row not published", "firing still queued", "delivery not finished"} <= found


def test_sink_disagreement_is_caught():
    snap = consistent()
    snap["http"] = [{"t": 1.0, "status": 500, "sag": 3}]  # the post recorded sent never arrived
    snap["inbox"].append(dict(snap["inbox"][0]))          # and the inbox row is doubled
    found = kinds(snap)
    assert "Mattermost post recorded sent but never arrived" in found
    assert "in-app delivery without exactly one inbox row" in found


def test_repeated_email_is_counted_not_a_violation():
    snap = consistent()
    d = f"{E1}:user:7:email"
    mid = f"reminder.{E1}.user.7.email@load.test"
    snap["reminders"][1]["flags"]["email"] = True
    snap["reminders"][1]["override"] = True
    snap["logs"][1]["reason"] = "channels: email, frontend, mattermost"
    snap["logs"].append(log(E1, "sent", user=7, channel="email", key=f"deliver:{d}:0:sent"))
    snap["deliveries"].append({"delivery_id": d, "channel": "email", "sag_id": 3, "status": "sent", "message_id": mid})
    snap["smtp"] = [{"t": 1.0, "message_id": mid}, {"t": 2.0, "message_id": mid}]
    result = invariants.check(snap, 1)
    assert result.ok, result.summary()
    assert result.stats["smtp repeated sends"] == 1


def test_message_id_decoding():
    assert invariants.message_id_delivery(f"reminder.{E1}.user.42.email@load.test") == (E1, "user:42", "email")


def test_expected_channels_follow_the_preference_rules():
    none = {"email": None, "mattermost": None, "frontend": None}
    assert invariants.expected_channels(None, none, False) == {"mattermost", "frontend"}
    # A reminder's true cannot turn on what the user turned off...
    assert invariants.expected_channels({"notify_email": False}, dict(none, email=True), False) == {"mattermost", "frontend"}
    # ...unless it overrides the user's preferences.
    assert "email" in invariants.expected_channels({"notify_email": False}, dict(none, email=True), True)
    assert invariants.expected_channels(None, dict(none, email=False), False, bare_address=True) == set()


# --- the outcomes of escalation, case follow and held digests -----------------------------

E3 = "33333333-3333-4333-8333-333333333330"
D1 = "44444444-4444-4444-8444-444444444444"


def with_new_outcomes():
    """The consistent set plus: E2's held item sent in digest D1 (an e-mail, once the window
    allowed), E1's escalation step 0 fired as firing E3 for user 8 on the in-app channel, and
    reminder 2 completed by its case (and never fired after)."""
    snap = consistent()
    later = T0 + dt.timedelta(hours=1, seconds=2)
    d_digest = f"digest:{D1}:user:7:email"
    d_escalation = f"{E3}:user:8:frontend"
    snap["logs"] += [
        log(D1, "dispatched", user=7, reason="digest of 1 held notifications; channels: email",
            key=f"digest:{D1}:user:7", at=later),
        log(E2, "held", user=7, channel="email", reason=f"held back by the rate limit; sent in digest {D1}",
            key=f"held:{E2}:user:7", at=later),
        log(D1, "sent", user=7, channel="email", key=f"deliver:{d_digest}:0:sent", at=later),
        log(E1, "escalated", reason="escalation step 1: nobody acknowledged within 60 minutes; escalated to user 8",
            key=f"escalation:{E1}:0", at=later),
        log(E3, "fired", key=f"fired:{E3}", at=later),
        log(E3, "dispatched", user=8, reason="channels: frontend", key=f"dispatch:{E3}:user:8:-:dispatched", at=later),
        log(E3, "sent", user=8, channel="frontend", key=f"deliver:{d_escalation}:0:sent", at=later),
        log(E1, "escalation_stopped", reason="escalation step 2 stopped: acknowledged by user 7",
            key=f"escalation:{E1}:1", at=later),
        dict(log(None, "completed", reason="case closed", key="case-follow:completed:2:1", at=T0), reminder_id=2),
    ]
    snap["firings"].append({"event_id": E3, "reminder_id": 1, "sag_id": 3, "event_type": "escalation", "status": "sent",
                            "recipient_user_id": 8, "created_at": later,
                            "event_data": {"channels": ["frontend"], "escalation_step": 0, "escalated_event_id": E1}})
    snap["deliveries"] += [
        {"delivery_id": d_digest, "channel": "email", "sag_id": 3, "status": "sent", "message_id": f"digest.{D1}.user.7.email@load.test"},
        {"delivery_id": d_escalation, "channel": "frontend", "sag_id": 3, "status": "sent", "message_id": None},
    ]
    snap["smtp"] = [{"t": 3.0, "message_id": f"digest.{D1}.user.7.email@load.test"}]
    snap["inbox"].append({"delivery_id": d_escalation, "event_id": E3, "created_at": later})
    snap["users"][8] = {"prefs": None}
    return snap


def test_new_outcomes_pass_and_are_counted():
    result = invariants.check(with_new_outcomes(), 1)
    assert result.ok, result.summary()
    assert result.stats["held digests"] == 1
    assert result.stats["held items sent in a digest"] == 1
    assert result.stats["outcome.digest.sent"] == 1
    assert result.stats["escalated steps"] == 1
    assert result.stats["escalation steps stopped"] == 1
    assert result.stats["completed reminders"] == 1
    assert result.stats["firings.escalation"] == 1


def test_digest_message_id_decoding():
    assert invariants.message_id_delivery(f"digest.{D1}.user.7.email@load.test") == (f"digest:{D1}", "user:7", "email")


def test_held_item_without_digest_or_rate_limit_is_caught():
    snap = with_new_outcomes()
    snap["logs"] = [x for x in snap["logs"] if not (x["dedupe_key"] or "").startswith("digest:")]
    snap["logs"].append(log(E1, "held", user=7, channel="email", reason=f"held back by the rate limit; sent in digest {D1}",
                            key=f"held:{E1}:user:7"))
    found = kinds(snap)
    assert "held item without its digest" in found
    assert "held item that was not rate limited" in found
    assert "delivery nobody dispatched" in found   # the digest's e-mail, without its notification


def test_step_fired_twice_or_without_its_firing_is_caught():
    snap = with_new_outcomes()
    snap["firings"].append(dict(snap["firings"][-1], event_id="55555555-5555-4555-8555-555555555555"))
    assert "escalation step fired twice for a user" in kinds(snap)
    snap = with_new_outcomes()
    snap["logs"] = [x for x in snap["logs"] if x["status"] != "escalated"]
    assert "escalation firing without exactly one step row" in kinds(snap)
    snap = with_new_outcomes()
    snap["logs"].append(log(E2, "escalated", reason="escalation step 1: ...", key=f"escalation:{E2}:0"))
    assert "escalated step without its firing" in kinds(snap)


def test_escalation_stop_without_its_reason_is_caught():
    snap = with_new_outcomes()
    next(x for x in snap["logs"] if x["status"] == "escalation_stopped")["reason"] = ""
    assert "escalation stop without its reason" in kinds(snap)


def test_escalation_firing_on_other_channels_than_the_step_is_caught():
    snap = with_new_outcomes()
    snap["firings"][-1]["event_data"]["channels"] = ["frontend", "mattermost"]
    assert "channels differ from preferences" in kinds(snap)


def test_firing_after_completion_is_caught():
    snap = with_new_outcomes()
    snap["firings"][1]["event_type"] = "time_based"   # E2, a second after T0
    snap["logs"][-1]["reminder_id"] = 1                # completed at T0
    assert "firing after its reminder was completed" in kinds(snap)
    snap["logs"].append(dict(log(None, "rearmed", reason="case reopened", key="case-follow:rearmed:1:2",
                                 at=T0 + dt.timedelta(milliseconds=500)), reminder_id=1))
    assert "firing after its reminder was completed" not in kinds(snap)


# --- in-app notifications: written by the dispatcher with its decision, no worker, no outbox row ---------

D_FE = f"{E1}:user:7:frontend"


def in_app_log(snap):
    return next(x for x in snap["logs"] if x["channel"] == "frontend")


def test_in_app_delivery_through_the_outbox_is_caught():
    snap = consistent()
    snap["outbox_topics"] = {"reminders.fired": 2, "reminders.deliver.mattermost": 2}
    assert invariants.check(snap, 1).ok
    snap["outbox_topics"]["reminders.deliver.frontend"] = 1
    assert kinds(snap) == {"outbox rows for the in-app channel"}
    snap = consistent()
    snap["held"].append({"delivery_id": D_FE, "topic": "reminders.deliver.frontend.dlq",
                         "available_at": T0 + dt.timedelta(hours=1)})
    assert kinds(snap) == {"outbox rows for the in-app channel"}


def test_in_app_rows_not_at_the_decisions_time_are_caught():
    # The inbox row and the log row carry the time of the `dispatched` row: one
    # written later (by a worker, say) is not the dispatcher's.
    snap = consistent()
    snap["inbox"][0]["created_at"] = T0 + dt.timedelta(milliseconds=40)
    assert kinds(snap) == {"in-app rows not at their decision's time"}
    snap = consistent()
    in_app_log(snap)["created_at"] = T0 + dt.timedelta(milliseconds=40)
    assert kinds(snap) == {"in-app rows not at their decision's time"}


def test_in_app_delivery_without_its_log_row_is_caught():
    snap = consistent()
    snap["logs"].remove(in_app_log(snap))
    assert kinds(snap) == {"delivery without exactly one final log row"}


def test_stopped_reminders_in_app_delivery_is_skipped_without_an_inbox_row():
    snap = consistent()
    next(d for d in snap["deliveries"] if d["channel"] == "frontend")["status"] = "skipped"
    in_app_log(snap).update(status="skipped", reason="reminder stopped", dedupe_key=f"deliver:{D_FE}:0:skipped")
    snap["inbox"] = []
    result = invariants.check(snap, 1)
    assert result.ok, result.summary()
    assert result.stats["outcome.frontend.skipped"] == 1
    snap["inbox"] = [{"delivery_id": D_FE, "event_id": E1, "created_at": T0}]
    assert kinds(snap) == {"inbox row without a sent in-app delivery"}


def test_in_app_delivery_that_failed_or_an_inbox_row_of_another_channel_is_caught():
    snap = consistent()
    next(d for d in snap["deliveries"] if d["channel"] == "frontend")["status"] = "dead"
    in_app_log(snap).update(status="failed", dedupe_key=f"deliver:{D_FE}:0:failed")
    snap["inbox"] = []
    assert kinds(snap) == {"in-app delivery neither sent nor skipped"}
    snap = consistent()
    snap["inbox"].append({"delivery_id": f"{E1}:user:7:mattermost", "event_id": E1, "created_at": T0})
    assert kinds(snap) == {"inbox row without a sent in-app delivery"}


def test_held_digest_naming_the_in_app_channel_needs_its_inbox_row():
    snap = with_new_outcomes()
    digest = next(x for x in snap["logs"] if (x["dedupe_key"] or "").startswith("digest:"))
    digest["reason"] = "digest of 1 held notifications; channels: email, frontend"
    d = f"digest:{D1}:user:7:frontend"
    at = digest["created_at"]
    snap["logs"].append(log(D1, "sent", user=7, channel="frontend", key=f"deliver:{d}:0:sent", at=at))
    snap["deliveries"].append({"delivery_id": d, "channel": "frontend", "sag_id": 3, "status": "sent", "message_id": None})
    snap["inbox"].append({"delivery_id": d, "event_id": D1, "created_at": at})
    result = invariants.check(snap, 1)
    assert result.ok, result.summary()
    assert result.stats["outcome.digest.frontend.sent"] == 1 and result.stats["outcome.digest.sent"] == 1
    snap["inbox"].pop()
    assert kinds(snap) == {"in-app delivery without exactly one inbox row"}
    snap["deliveries"].pop()
    snap["logs"].pop()
    assert kinds(snap) == {"digest without a delivery"}
