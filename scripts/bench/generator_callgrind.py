#!/usr/bin/env python3
"""Instructions per event of `rtde generate`, counted by valgrind's callgrind: a figure the
load of a shared machine does not move (wall time and CPU time both do, by up to 4x here),
so two builds can be compared on a busy machine and a regression seen in one run.

Usage: generator_callgrind.py --rtde target/release/rtde [--events 100000] [--rtde OTHER ...]

For each binary given and each case, the instructions of a run of `--events` events minus
those of a one-event run (start-up, the zone model, the broker connection), divided by
`--events - 1`:

- no sink (`--oracle-out /dev/null`): generating, rendering the JSON, the oracle;
- Kafka, lz4, to a tansu broker in memory on a free loopback port (a fresh topic per run,
  3 partitions, the pickup-zone key, as `make bench-generator` sends): the above plus
  librdkafka (copies, the message set, LZ4, acknowledgements) in the same process.

Both cases run with `--malformed-rate 0`, as the benchmark does. Needs valgrind and, for the
Kafka case, tansu ($RTDE_TANSU, PATH or ~/.cargo/bin; `--no-kafka` skips it). Nothing sleeps
a fixed time: the broker is polled until it accepts connections, with a deadline. Under
callgrind rtde runs about 50 times slower, so librdkafka's batches fill differently than at
full speed; the count is for comparing builds, not a prediction of the CPU time.
"""

import argparse
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
BROKER_DEADLINE_S = 30
PARTITIONS = 3


def find_tansu():
    for candidate in (os.environ.get("RTDE_TANSU"), shutil.which("tansu"),
                      os.path.expanduser("~/.cargo/bin/tansu")):
        if candidate and os.path.isfile(candidate):
            return candidate
    sys.exit("tansu not found: cargo install tansu --features dynostore (or set RTDE_TANSU), "
             "or pass --no-kafka")


def start_tansu():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [find_tansu(), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + BROKER_DEADLINE_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                sys.exit(f"tansu did not accept connections on port {port} within "
                         f"{BROKER_DEADLINE_S} s")


def instructions(binary, args, work):
    """Instructions callgrind counted over `rtde generate ARGS`, every thread included."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.out",
         binary, "generate", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"valgrind rtde generate {' '.join(args)} failed:\n{done.stderr}")
    match = REFS.search(done.stderr)
    if not match:
        sys.exit(f"no instruction count in valgrind's output:\n{done.stderr}")
    return int(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtde", action="append", required=True,
                        help="a release build; give it several times to compare builds")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--no-kafka", action="store_true")
    args = parser.parse_args()
    if args.events < 2:
        sys.exit("--events must be at least 2")
    if not shutil.which("valgrind"):
        sys.exit("valgrind not found: apt-get install valgrind")
    base = ["--malformed-rate", "0", "--key", "pickup-zone"]
    cases = {"no sink": lambda _topic: ["--oracle-out", "/dev/null"]}
    tansu = None
    if not args.no_kafka:
        tansu, brokers = start_tansu()
        cases["Kafka (tansu), lz4"] = lambda topic: [
            "--sink", f"kafka://{brokers}/{topic}", "--compression", "lz4",
            "--partitions", str(PARTITIONS)]
    work = tempfile.mkdtemp(prefix="rtde-callgrind-")
    try:
        print(f"| build | case | instructions per event ({args.events:,} events) |")
        print("|---|---|---:|")
        for number, binary in enumerate(args.rtde):
            for case, sink in cases.items():
                topic = f"callgrind-{number}-{len(case)}"
                one = instructions(binary, [*base, "--events", "1", *sink(f"{topic}-one")], work)
                many = instructions(
                    binary, [*base, "--events", str(args.events), *sink(f"{topic}-many")], work)
                per_event = (many - one) / (args.events - 1)
                print(f"| {binary} | {case} | {per_event:,.0f} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if tansu:
            tansu.kill()
            tansu.wait()


if __name__ == "__main__":
    main()
