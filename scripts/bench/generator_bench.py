#!/usr/bin/env python3
"""Generator throughput benchmark: rtde to Parquet and JSON lines files, and rtde side by
side with the original framework's generator (generator_python_producer.py) to the same
local tansu broker, in one run.

Usage: generator_bench.py --rtde target/release/rtde [--events 1000000] [--runs 3]
                          [--codecs lz4,none,zstd]

rtde writes the source once; the Python producer replays it with the 19 columns of the
January 2024 TLC file (rtde's extra trip_id and cbd_congestion_fee dropped), so its per-row
work is the original's. The Kafka cases run repetition by repetition, each repetition on a
fresh tansu and the two producers alternating (which goes first swaps every repetition), so
the load of a shared machine falls on both alike. After every Kafka run the topic's offsets
must add up to the events sent, or the benchmark fails. tansu comes from $RTDE_TANSU, PATH
or ~/.cargo/bin. Nothing sleeps a fixed time: the broker is polled until it accepts
connections, with a deadline.

With `--brokers tansu,mock` (the default) the comparison's codec (the first of `--codecs`)
also runs against a broker that is not the bottleneck: librdkafka's mock cluster in a
process of its own (mock_broker.py), which acknowledges without decompressing or storing
more than 5 MB per partition. Its topics have the mock's 4 partitions, for both producers,
and are checked by their high watermarks (its log is trimmed, so it cannot be read back).
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import orjson
import pyarrow.parquet as pq
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

HERE = pathlib.Path(__file__).resolve().parent
SUMMARY = re.compile(
    r"rtde generate: (\d+) events .* in ([\d.]+) s = (\d+) events/s; CPU ([\d.]+) s = ([\d.]+) µs/event"
)
# The columns of yellow_tripdata_2024-01.parquet, in file order: what the original sends.
TLC_2024_01 = [
    "VendorID", "tpep_pickup_datetime", "tpep_dropoff_datetime", "passenger_count",
    "trip_distance", "RatecodeID", "store_and_fwd_flag", "PULocationID", "DOLocationID",
    "payment_type", "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
    "improvement_surcharge", "total_amount", "congestion_surcharge", "Airport_fee",
]
PARTITIONS = 3
BROKER_DEADLINE_S = 30
ADMIN_DEADLINE_S = 15
CONSUME_DEADLINE_S = 120


def find_tansu():
    for candidate in (os.environ.get("RTDE_TANSU"), shutil.which("tansu"),
                      os.path.expanduser("~/.cargo/bin/tansu")):
        if candidate and os.path.isfile(candidate):
            return candidate
    sys.exit("tansu not found: cargo install tansu --features dynostore (or set RTDE_TANSU)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu_seconds(pid):
    """A process's user+system CPU so far, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Tansu:
    """A tansu broker in memory on a free loopback port, for one repetition."""

    name = "tansu"

    def __enter__(self):
        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [find_tansu(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.brokers = f"127.0.0.1:{port}"
        deadline = time.monotonic() + BROKER_DEADLINE_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    sys.exit(f"tansu did not accept connections on port {port} within "
                             f"{BROKER_DEADLINE_S} s")

    def cpu_seconds(self):
        return process_cpu_seconds(self.process.pid)

    def prepare(self, topic, who):
        """rtde creates its topic itself (--partitions); the original's needs it made."""
        if who == "python":
            create_topic(self.brokers, topic)

    def check(self, topic, events):
        check_delivered(self.brokers, topic, events)

    def __exit__(self, *_):
        self.process.kill()
        self.process.wait()


class MockBroker:
    """librdkafka's mock cluster in its own process (mock_broker.py), for one repetition."""

    name = "mock broker"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "mock_broker.py")], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().strip()
        if not line:
            self.process.kill()
            sys.exit("the mock broker did not start (mock_broker.py printed no address)")
        self.brokers = line
        return self

    def cpu_seconds(self):
        return process_cpu_seconds(self.process.pid)

    def prepare(self, topic, _who):
        """The mock cannot create topics on request: asking for the topic's metadata does."""
        producer = Producer({"bootstrap.servers": self.brokers})
        metadata = producer.list_topics(topic=topic, timeout=ADMIN_DEADLINE_S)
        if metadata.topics[topic].error is not None:
            sys.exit(f"the mock broker did not create {topic}: {metadata.topics[topic].error}")

    def check(self, topic, events):
        """Fails unless the topic's high watermarks add up to `events`."""
        consumer = Consumer({"bootstrap.servers": self.brokers, "group.id": f"check-{topic}"})
        try:
            partitions = consumer.list_topics(topic, timeout=ADMIN_DEADLINE_S).topics[topic].partitions
            total = sum(consumer.get_watermark_offsets(TopicPartition(topic, p),
                                                       timeout=ADMIN_DEADLINE_S)[1]
                        for p in partitions)
        finally:
            consumer.close()
        if total != events:
            sys.exit(f"{topic} on the mock broker holds {total} messages, {events} were sent")

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait()


def rtde(binary, args):
    """Runs rtde generate; returns (events/s, CPU µs per event, events) from its summary line."""
    done = subprocess.run([binary, "generate", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"rtde generate {' '.join(args)} failed:\n{done.stderr}")
    match = SUMMARY.search(done.stderr)
    return int(match.group(3)), float(match.group(5)), int(match.group(1))


def python_producer(brokers, topic, source, events, codec):
    done = subprocess.run(
        [sys.executable, str(HERE / "generator_python_producer.py"), "--brokers", brokers,
         "--topic", topic, "--source", source, "--events", str(events), "--compression", codec],
        capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the Python producer failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    return (result["events_per_second"], result["cpu_seconds"] * 1e6 / result["events"],
            result["events"])


def create_topic(brokers, topic):
    # Keep the client alive until the futures resolve: a collected client cancels them.
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)],
        operation_timeout=ADMIN_DEADLINE_S)
    for future in futures.values():
        future.result(timeout=ADMIN_DEADLINE_S)


def check_delivered(brokers, topic, events):
    """Fails unless `events` messages, and no more, can be read back from the topic.

    Counted by consuming, not from offsets: tansu's high watermarks can be off."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"rtde-bench-{topic}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    read = 0
    deadline = time.monotonic() + CONSUME_DEADLINE_S
    try:
        while read < events and time.monotonic() < deadline:
            for message in consumer.consume(10_000, timeout=0.5):
                if message.error():
                    sys.exit(f"reading {topic} back: {message.error()}")
                read += 1
        # Nothing beyond what was sent: one more read must come back empty.
        read += len(consumer.consume(10_000, timeout=2))
    finally:
        consumer.close()
    if read != events:
        sys.exit(f"{read} messages read back from {topic}, {events} were sent")


def payload_bytes_python(source):
    """Mean message value size of the original's serialisation, over the first 10,000 rows."""
    rows = pq.read_table(source).slice(0, 10_000).to_pylist()
    for row in rows:
        for key, val in row.items():
            if hasattr(val, "isoformat"):
                row[key] = val.isoformat()
    return statistics.fmean(len(orjson.dumps(row)) for row in rows)


def summary(results):
    """Median, lowest and highest events/s, median CPU µs/event (producer, then broker)."""
    rates = [r["rate"] for r in results]
    return (statistics.median(rates), min(rates), max(rates),
            statistics.median(r["cpu"] for r in results),
            statistics.median(r.get("broker_cpu", 0.0) for r in results))


def measured(run, broker=None):
    """Runs one producer; its figures, with the broker's CPU per event when there is one."""
    before = broker.cpu_seconds() if broker else 0.0
    rate, cpu, events = run()
    result = {"rate": rate, "cpu": cpu, "events": events}
    if broker:
        result["broker_cpu"] = (broker.cpu_seconds() - before) * 1e6 / events
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtde", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--codecs", default="lz4,none,zstd",
                        help="the first is the comparison's (the original's is lz4)")
    parser.add_argument("--brokers", default="tansu,mock",
                        help="tansu: every codec; mock: the first codec only")
    args = parser.parse_args()
    codecs = args.codecs.split(",")
    brokers = args.brokers.split(",")
    unknown = set(brokers) - {"tansu", "mock"}
    if unknown:
        sys.exit(f"--brokers: unknown {', '.join(sorted(unknown))}; they are tansu and mock")
    # (broker, codec) in the order they run within a repetition.
    cases = [(b, c) for b in ("tansu", "mock") if b in brokers
             for c in (codecs if b == "tansu" else codecs[:1])]
    # No malformed messages: they are not Parquet rows, so the Python producer could not
    # replay them, and with none both producers send the same trips, event for event.
    same_events = ["--events", str(args.events), "--malformed-rate", "0"]

    work = pathlib.Path(tempfile.mkdtemp(prefix="rtde-bench-"))
    try:
        source = str(work / "source.parquet")
        rtde(args.rtde, [*same_events, "--sink", f"parquet:{source}"])
        tlc = str(work / "tlc-2024-01.parquet")
        pq.write_table(pq.read_table(source, columns=TLC_2024_01), tlc)
        load_before = os.getloadavg()[0]

        files = {"rtde → Parquet file": [], "rtde → JSON lines file": []}
        for _ in range(args.runs):
            files["rtde → Parquet file"].append(measured(lambda: rtde(
                args.rtde, [*same_events, "--sink", f"parquet:{work}/out.parquet"])))
            files["rtde → JSON lines file"].append(measured(lambda: rtde(
                args.rtde, [*same_events, "--sink", f"jsonl:{work}/out.jsonl"])))
        rtde_bytes = (work / "out.jsonl").stat().st_size / args.events - 1
        python_bytes = payload_bytes_python(tlc)

        kafka = {(who, broker, codec): [] for broker, codec in cases
                 for who in ("python", "rtde")}
        for i in range(args.runs):
            for kind in ("tansu", "mock"):
                if not any(broker == kind for broker, _ in cases):
                    continue
                with (Tansu() if kind == "tansu" else MockBroker()) as broker:
                    for codec in [c for b, c in cases if b == kind]:
                        order = ("python", "rtde") if i % 2 == 0 else ("rtde", "python")
                        for who in order:
                            topic = f"{who}-{codec}-{i}"
                            broker.prepare(topic, who)
                            if who == "python":
                                result = measured(lambda: python_producer(
                                    broker.brokers, topic, tlc, args.events, codec), broker)
                            else:
                                result = measured(lambda: rtde(args.rtde, [
                                    *same_events, "--sink", f"kafka://{broker.brokers}/{topic}",
                                    "--key", "pickup-zone", "--compression", codec,
                                    "--partitions", str(PARTITIONS)]), broker)
                            broker.check(topic, result["events"])
                            kafka[(who, kind, codec)].append(result)
                            print(f"  run {i + 1} {who} → {broker.name} ({codec}): "
                                  f"{result['rate']} events/s, {result['cpu']:.3f} µs CPU/event, "
                                  f"broker {result['broker_cpu']:.3f} µs/event", file=sys.stderr)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{args.events:,} events, {args.runs} runs per case; {os.cpu_count()} CPUs, "
          f"load average {load_before:.1f} → {load_after:.1f}\n")
    print("| case | events/s, median (range) | producer CPU µs/event | broker CPU µs/event "
          "| bytes/message |")
    print("|---|---:|---:|---:|---:|")

    def row(name, results, broker_cpu, size):
        median, low, high, cpu, broker = summary(results)
        broker = f"{broker:.2f}" if broker_cpu else ""
        print(f"| {name} | {median:,.0f} ({low:,.0f} – {high:,.0f}) | {cpu:.2f} | {broker} "
              f"| {size} |")

    for name, results in files.items():
        row(name, results, False, "")
    names = {"tansu": "tansu", "mock": "mock broker"}
    for broker, codec in cases:
        row(f"original's generator (Python) → {names[broker]}, {codec}",
            kafka[("python", broker, codec)], True, f"{python_bytes:.0f}")
        row(f"rtde → {names[broker]}, {codec}", kafka[("rtde", broker, codec)], True,
            f"{rtde_bytes:.0f}")
    print()
    for broker, codec in cases:
        ours, theirs = kafka[("rtde", broker, codec)], kafka[("python", broker, codec)]
        pairs = [r["rate"] / p["rate"] for r, p in zip(ours, theirs)]
        ratio = summary(ours)[0] / summary(theirs)[0]
        cpu = summary(theirs)[3] / summary(ours)[3]
        print(f"rtde / original to the same {names[broker]}, {codec}: {ratio:.1f}× "
              f"(repetition by repetition {min(pairs):.1f}× – {max(pairs):.1f}×); "
              f"CPU per event, original / rtde: {cpu:.1f}×")


if __name__ == "__main__":
    main()
