"""One hop through the broker: the time from a producer's send to a consumer
receiving the record, for each consumer fetch wait (`fetch.wait.max.ms`, the
services' `KAFKA_FETCH_WAIT_MAX_MS`), and the broker's CPU meanwhile.

A private broker (the harness's Stack, nothing else), one producer that sends
one record at a time at irregular moments (so the sends do not keep step with
the consumer's fetches), and one consumer per fetch wait, reading the same
partition. The pipeline's latency has one such hop for in-app notifications
and two for e-mail and Mattermost, so this is the part of it the broker alone
sets.

A benchmark reports; it never asserts a target.
"""
import random
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from .analysis import percentiles
from .stack import Stack, read_cpu_seconds


def measure_hop(bootstrap, fetch_wait_ms, records, interval_s, seed=1):
    """Sends `records` records, one at a time, about `interval_s` apart; returns
    the milliseconds from each send to its arrival at a consumer with this fetch wait."""
    topic = f"hop-{fetch_wait_ms}-{time.monotonic_ns()}"
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept until the topic exists: its end cancels the request
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=30)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": topic, "enable.auto.commit": False,
                         "fetch.wait.max.ms": fetch_wait_ms})
    consumer.assign([TopicPartition(topic, 0, 0)])
    arrivals = []
    done = threading.Event()

    def consume():
        while not done.is_set():
            message = consumer.poll(0.05)
            if message is not None and not message.error():
                arrivals.append((time.monotonic() - float(message.value().decode())) * 1000)

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    try:
        # The consumer's first fetches find the partition before the first send.
        time.sleep(2)
        rng = random.Random(seed)
        for _ in range(records):
            producer.produce(topic, str(time.monotonic()).encode())
            producer.flush(10)
            time.sleep(interval_s * rng.uniform(0.5, 1.5))
        deadline = time.monotonic() + 10
        while len(arrivals) < records and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        done.set()
        reader.join(5)
        consumer.close()
    return arrivals


def run(args, log):
    """Measures one hop for each of `args.fetch_wait`; returns the result dict."""
    stack = Stack(log=log)
    try:
        stack.start_broker()
        bootstrap = f"127.0.0.1:{stack.kafka_port}"
        waits = []
        for wait in args.fetch_wait:
            cpu_before, t_before = read_cpu_seconds(stack.broker.pid), time.monotonic()
            arrivals = measure_hop(bootstrap, wait, args.records, args.interval)
            cpu = (read_cpu_seconds(stack.broker.pid) or 0.0) - (cpu_before or 0.0)
            seconds = time.monotonic() - t_before
            entry = {"fetch_wait_ms": wait, "sent": args.records, "latency_ms": percentiles(arrivals),
                     "broker_cpu_percent": round(100 * cpu / seconds, 2)}
            latency = entry["latency_ms"]
            log(f"hop: fetch wait {wait} ms: {latency['n']}/{args.records} received"
                + (f"; p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, max {latency['max']:.1f} ms" if arrivals else "")
                + f"; broker CPU {entry['broker_cpu_percent']:.1f} % of a core")
            waits.append(entry)
        return {"records": args.records, "interval_s": args.interval, "waits": waits}
    finally:
        stack.close()
