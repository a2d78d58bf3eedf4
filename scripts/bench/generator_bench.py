#!/usr/bin/env python3
"""Generator throughput benchmark: rtde to Parquet, JSON lines and a local tansu broker, and
the original framework's kind of Python producer to the same broker, in one run.

Usage: generator_bench.py --rtde target/release/rtde [--events 1000000] [--runs 3]

tansu comes from $RTDE_TANSU, PATH or ~/.cargo/bin. Each measurement runs --runs times and
the median is reported; every run's figures are printed too. Nothing sleeps a fixed time:
the broker is polled until it accepts connections, with a deadline.
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

HERE = pathlib.Path(__file__).resolve().parent
SUMMARY = re.compile(
    r"rtde generate: (\d+) events .* in ([\d.]+) s = (\d+) events/s; CPU ([\d.]+) s = ([\d.]+) µs/event"
)


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


def start_tansu():
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [find_tansu(), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                sys.exit(f"tansu did not accept connections on port {port} within 30 s")


def rtde(binary, args):
    """Runs rtde generate; returns (events/s, CPU µs per event) from its summary line."""
    done = subprocess.run([binary, "generate", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"rtde generate {' '.join(args)} failed:\n{done.stderr}")
    match = SUMMARY.search(done.stderr)
    return int(match.group(3)), float(match.group(5))


def python_producer(python, brokers, topic, source, events):
    done = subprocess.run(
        [python, str(HERE / "generator_python_producer.py"), "--brokers", brokers, "--topic", topic,
         "--source", source, "--events", str(events)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the Python producer failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    return result["events_per_second"], result["cpu_seconds"] * 1e6 / result["events"]


def create_topic(brokers, topic):
    from confluent_kafka.admin import AdminClient, NewTopic
    # Keep the client alive until the futures resolve: a collected client cancels them.
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)],
                                  operation_timeout=10)
    for future in futures.values():
        future.result(timeout=15)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtde", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = str(args.events)

    work = pathlib.Path(tempfile.mkdtemp(prefix="rtde-bench-"))
    source = str(work / "source.parquet")
    rtde(args.rtde, ["--events", n, "--sink", f"parquet:{source}"])
    broker, brokers = start_tansu()
    rows = []
    try:
        cases = [
            ("rtde → Parquet file", lambda i: rtde(args.rtde, ["--events", n, "--sink", f"parquet:{work}/out.parquet"])),
            ("rtde → JSON lines file", lambda i: rtde(args.rtde, ["--events", n, "--sink", f"jsonl:{work}/out.jsonl"])),
            ("rtde → tansu (Kafka)", lambda i: rtde(args.rtde, ["--events", n, "--sink", f"kafka://{brokers}/rtde-{i}"])),
        ]
        for i in range(args.runs):
            create_topic(brokers, f"python-{i}")
        cases.append(("Python producer (pyarrow + json + confluent-kafka) → tansu",
                      lambda i: python_producer(sys.executable, brokers, f"python-{i}", source, args.events)))
        for name, run in cases:
            results = [run(i) for i in range(args.runs)]
            for rate, cpu in results:
                print(f"  {name}: {rate} events/s, {cpu:.3f} µs CPU/event", file=sys.stderr)
            rows.append((name, statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)))
    finally:
        broker.kill()
        broker.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"| {args.events:,} events, median of {args.runs} | events/s | CPU µs/event |")
    print("|---|---:|---:|")
    for name, rate, cpu in rows:
        print(f"| {name} | {rate:,.0f} | {cpu:.2f} |")
    rtde_kafka, python_kafka = rows[2][1], rows[3][1]
    print(f"\nrtde / Python to the same broker: {rtde_kafka / python_kafka:.1f}×")


if __name__ == "__main__":
    main()
