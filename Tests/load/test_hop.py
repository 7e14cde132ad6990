"""`scripts/load.sh hop` against a real broker: every record sent arrives, at
each fetch wait asked for. (It reports latency; no figure is asserted.)"""
import argparse

from load import hop


def test_hop_receives_every_record_at_each_fetch_wait():
    args = argparse.Namespace(fetch_wait=[10, 50], records=8, interval=0.05)
    result = hop.run(args, log=print)
    assert [w["fetch_wait_ms"] for w in result["waits"]] == [10, 50]
    for wait in result["waits"]:
        assert wait["latency_ms"]["n"] == 8, wait
        assert 0 < wait["latency_ms"]["p50"] <= wait["latency_ms"]["max"]
        assert wait["broker_cpu_percent"] >= 0
