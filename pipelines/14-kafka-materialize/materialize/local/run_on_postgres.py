#!/usr/bin/env python3
"""Run the Materialize pipeline's portable transforms on PostgreSQL and compare them.

Materialize cannot run on the machines rtde is developed on (no image registry), but its
message, Bronze, Silver, dead-letter and progress views are plain SQL that PostgreSQL runs
too (mz.PORTABLE). This driver loads the generator's JSON lines into a PostgreSQL table
shaped like Materialize's source (data bytea, kafka_partition integer, kafka_offset bigint:
Materialize's offset is uint8, which PostgreSQL lacks), creates those views in a private
schema and compares them with the reference:

    run_on_postgres.py --dsn DSN --jsonl EVENTS.jsonl --oracle ORACLE.json \
        --reference-silver silver.parquet [--window-start TS]

It prints `name=value` lines: bronze_rows, silver_rows, consumed and dead_letters (counted in
the views), silver_columns_match (1 when Silver's column names and order are the
reference's), silver_only_engine / silver_only_reference (rows in one Silver and not in the
other, values compared exactly) and dead_letters_mismatch (messages where the dead-letter
view and Python's own JSON parser disagree). --window-start overrides the oracle's window
start, for a negative control.
"""

import argparse
import json
import os
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
from psycopg2.extras import execute_values

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import mz  # noqa: E402  (the deploy script: its file list and templating are the ones tested)

MONEY = {
    "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount", "improvement_surcharge",
    "total_amount", "congestion_surcharge", "airport_fee", "cbd_congestion_fee",
}


def is_json_object(line):
    """Python's own judgement, independent of both SQL engines."""
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def messages(jsonl):
    """Each line of the JSON lines file is one Kafka message; blank lines are no message."""
    return [line for line in Path(jsonl).read_bytes().split(b"\n") if line.strip()]


def normalise(row, columns):
    """A Silver row as comparable values: money as exact cents, the rest as Python values."""
    out = []
    for name, value in zip(columns, row):
        if value is not None and name in MONEY:
            value = Decimal(value).quantize(Decimal("0.01"))
        elif value is not None and name == "trip_distance":
            value = float(value)
        out.append(value)
    return tuple(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="libpq connection string or URL")
    parser.add_argument("--jsonl", required=True, help="rtde generate --sink jsonl:PATH")
    parser.add_argument("--oracle", required=True, help="the generator's oracle JSON")
    parser.add_argument("--reference-silver", required=True, help="reference silver.parquet")
    parser.add_argument("--window-start", help="override the oracle's window start")
    args = parser.parse_args(argv)

    variables = mz.window_of(json.loads(Path(args.oracle).read_text()))
    if args.window_start:
        variables["window_start"] = args.window_start
    payloads = messages(args.jsonl)
    schema = f"rtde_mz_{os.getpid()}"

    connection = psycopg2.connect(args.dsn)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute(f"create schema {schema}")
    try:
        cursor.execute(f"set search_path = {schema}")
        # The columns of Materialize's source: FORMAT BYTES's `data`, then the INCLUDEd
        # partition and offset. One partition, offsets in file order.
        cursor.execute(
            "create table taxi_raw_trips (data bytea, kafka_partition integer, kafka_offset bigint)"
        )
        execute_values(
            cursor,
            "insert into taxi_raw_trips values %s",
            [(payload, 0, offset) for offset, payload in enumerate(payloads)],
            page_size=5000,
        )
        for name in mz.PORTABLE:
            cursor.execute(mz.read_sql(name, variables))

        counts = {}
        for metric, query in [
            ("consumed", "select messages from taxi_raw_trips_consumed"),
            ("bronze_rows", "select count(*) from bronze_trips"),
            ("silver_rows", "select count(*) from silver_trips"),
            ("dead_letters", "select count(*) from dead_letters"),
        ]:
            cursor.execute(query)
            counts[metric] = cursor.fetchone()[0]

        cursor.execute("select * from silver_trips")
        engine_columns = [d.name for d in cursor.description]
        engine_rows = cursor.fetchall()
        reference = duckdb.connect()
        result = reference.execute("select * from read_parquet(?)", [args.reference_silver])
        reference_columns = [d[0] for d in result.description]
        reference_rows = result.fetchall()
        counts["silver_columns_match"] = int(engine_columns == reference_columns)
        engine = {normalise(r, engine_columns) for r in engine_rows}
        expected = {normalise(r, reference_columns) for r in reference_rows}
        counts["silver_only_engine"] = len(engine - expected)
        counts["silver_only_reference"] = len(expected - engine)

        # The regular expression's judgement against Python's parser, message by message.
        cursor.execute("select message from dead_letters")
        dead = Counter(row[0] for row in cursor.fetchall())
        malformed = Counter(p.decode() for p in payloads if not is_json_object(p))
        counts["dead_letters_mismatch"] = sum(((dead - malformed) + (malformed - dead)).values())
    finally:
        cursor.execute("reset search_path")
        cursor.execute(f"drop schema {schema} cascade")
        connection.close()

    for name, value in counts.items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main(sys.argv[1:])
