#!/usr/bin/env python3
"""The Python side of the generator benchmark: a producer equivalent to the original
framework's, sending the rows of a Parquet file to Kafka one by one.

Like the original, it reads the whole file with pyarrow, walks it in record batches of
10,000 rows, turns each row into a dict in file column order, serialises it with json and
produces it with confluent-kafka (idempotent, acks=all, lz4, linger 5 ms, batches of 10,000
messages), polling every 10,000 messages and flushing at the end. Timestamps are written as
ISO strings and money as numbers, as rtde's events carry them.

Prints one JSON line: events, seconds, events per second and the CPU seconds of the
sending loop (reading the file happens before the clock starts, as in the original).
"""

import argparse
import datetime
import json
import resource
import sys
import time

import pyarrow.parquet as pq
from confluent_kafka import Producer


def plain(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--source", required=True, help="Parquet file to replay")
    parser.add_argument("--events", type=int, default=0, help="0 = every row")
    args = parser.parse_args()

    failures = []

    def delivered(err, _msg):
        if err is not None:
            failures.append(err)

    producer = Producer({
        "bootstrap.servers": args.brokers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": 500000,
        "queue.buffering.max.kbytes": 1048576,
        "compression.type": "lz4",
    })
    table = pq.read_table(args.source)
    limit = args.events or table.num_rows
    timestamp_columns = [f.name for f in table.schema if str(f.type).startswith("timestamp")]

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    sent = 0
    for batch in table.to_batches(max_chunksize=10000):
        for row in batch.to_pylist():
            if sent >= limit:
                break
            for name in timestamp_columns:
                row[name] = plain(row[name])
            key = row.get("trip_id")
            while True:
                try:
                    producer.produce(args.topic, key=key, value=json.dumps(row), on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.05)
            sent += 1
            if sent % 10000 == 0:
                producer.poll(0)
        if sent >= limit:
            break
    remaining = producer.flush(60)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if remaining or failures:
        print(f"{remaining} messages unsent, {len(failures)} failed: {failures[:1]}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({
        "events": sent,
        "seconds": round(seconds, 3),
        "events_per_second": round(sent / seconds),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime, 3),
    }))


if __name__ == "__main__":
    main()
