#!/usr/bin/env python3
"""The Python side of the generator benchmark: the original framework's generator
(shared/data-generator/generator.py, burst mode, no rate limit) reproduced step for step, so
rtde is compared with what the original really ran.

What it does, as the original does:
- the Parquet file is read whole with pyarrow `read_table`, lazily from a Python generator,
  so the clock, started before the first row is asked for, includes the read;
- the table is walked in record batches of 10,000 rows, each batch turned into dicts with
  `to_pylist()`, every datetime value of a row replaced by its `isoformat()`;
- the key is `str(row.get("PULocationID", ""))` in UTF-8, the value `orjson.dumps(row)`;
- confluent-kafka `Producer.produce(topic, value=, key=, callback=)` per row, `poll(0)` and a
  progress check every 10,000 messages, `flush(timeout=30)` at the end; producer settings
  enable.idempotence, acks=all, linger.ms 5, batch.num.messages 10000,
  queue.buffering.max.messages 500000, queue.buffering.max.kbytes 1048576, lz4.

Where it differs, none of it in the per-row path: `--compression` can replace lz4 (for the
codec columns of the benchmark); the delivery callback counts failures instead of printing
them, and the script fails when any message is undelivered or left unflushed (the original
reported its rate regardless); a full local queue (BufferError, which ended the original) is
a clear error; no banner, progress goes to stderr, and the result is one JSON line on stdout:
events, seconds, events per second, and the process's CPU seconds over the same span
(getrusage, librdkafka's threads included).
"""

import argparse
import json
import resource
import sys
import time
from datetime import datetime

import orjson
import pyarrow.parquet as pq
from confluent_kafka import Producer

# Progress is printed at most this often, as in the original.
REPORT_EVERY_S = 5.0
# Serve delivery callbacks every this many messages, as in the original.
POLL_EVERY = 10_000
FLUSH_TIMEOUT_S = 30

failures = []


def delivery_callback(err, _msg):
    if err is not None:
        failures.append(err)


def read_parquet(path, max_events):
    """Yields the file's rows as dicts, timestamps as ISO strings (the original's reader)."""
    table = pq.read_table(path)
    total = table.num_rows if max_events == 0 else min(max_events, table.num_rows)
    print(f"source: {path} ({table.num_rows:,} rows, sending {total:,})", file=sys.stderr)
    sent = 0
    for batch in table.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            if sent >= total:
                return
            for key, val in row.items():
                if isinstance(val, datetime):
                    row[key] = val.isoformat()
            yield row
            sent += 1


def produce_burst(producer, topic, rows):
    """The original's burst loop without its rate limit (0 = unlimited, its benchmark mode)."""
    count = 0
    start = time.perf_counter()
    last_report = start
    for row in rows:
        key = str(row.get("PULocationID", "")).encode("utf-8")
        value = orjson.dumps(row)
        producer.produce(topic, value=value, key=key, callback=delivery_callback)
        count += 1
        if count % POLL_EVERY == 0:
            producer.poll(0)
            now = time.perf_counter()
            if now - last_report >= REPORT_EVERY_S:
                print(f"produced {count:,} events ({count / (now - start):,.0f} events/s)",
                      file=sys.stderr)
                last_report = now
    remaining = producer.flush(timeout=FLUSH_TIMEOUT_S)
    return count, time.perf_counter() - start, remaining


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--source", required=True, help="TLC-schema Parquet file to replay")
    parser.add_argument("--events", type=int, default=0, help="0 = every row")
    parser.add_argument("--compression", default="lz4", help="the original's codec is lz4")
    args = parser.parse_args()

    producer = Producer({
        "bootstrap.servers": args.brokers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": 500000,
        "queue.buffering.max.kbytes": 1048576,
        "compression.type": args.compression,
    })
    rows = read_parquet(args.source, args.events)
    cpu_before = cpu_seconds()
    try:
        count, seconds, remaining = produce_burst(producer, args.topic, rows)
    except BufferError as err:
        sys.exit(f"the producer's local queue filled ({err}); the original ends here too")
    cpu = cpu_seconds() - cpu_before
    if remaining or failures:
        sys.exit(f"{remaining} messages left unflushed after {FLUSH_TIMEOUT_S} s, "
                 f"{len(failures)} not delivered; first error: {failures[:1]}")
    print(json.dumps({
        "events": count,
        "seconds": round(seconds, 3),
        "events_per_second": round(count / seconds),
        "cpu_seconds": round(cpu, 3),
    }))


if __name__ == "__main__":
    main()
