#!/usr/bin/env python3
"""Print the Gold aggregates dbt built in the oracle's `gold` JSON shape.

    export_gold.py --duckdb target/rtde.duckdb [--schema main]
    export_gold.py --postgres "host=… port=… user=… dbname=…" [--schema gold]

The output has the same four lists, keys and sort order as the oracle's `gold` object
(docs/data-contract.md §5), so a caller can compare the two documents for equality without
knowing anything about dbt; rtde's integration test does exactly that.
"""

import argparse
import json
import sys

import duckdb

QUERIES = {
    "daily": ("date", "select pickup_date, trips, revenue_cents from {s}.gold_daily"),
    "borough": ("borough", "select pickup_borough, trips, revenue_cents from {s}.gold_borough"),
    "payment_type": (
        "payment_type",
        "select payment_type, trips, revenue_cents from {s}.gold_payment_type",
    ),
    "hourly": ("hour", "select pickup_hour, trips, revenue_cents from {s}.gold_hourly"),
}


def connect(args):
    """A DB-API cursor on the database dbt built, and the error class of its driver."""
    if args.duckdb:
        try:
            return duckdb.connect(args.duckdb, read_only=True).cursor(), duckdb.Error
        except duckdb.Error as err:
            sys.exit(f"cannot open the DuckDB file {args.duckdb}: {err}")
    import psycopg2  # only the postgres target needs it (dbt-postgres installs it)

    try:
        return psycopg2.connect(args.postgres).cursor(), psycopg2.Error
    except psycopg2.Error as err:
        sys.exit(f"cannot connect to {args.postgres!r}: {err}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database = parser.add_mutually_exclusive_group(required=True)
    database.add_argument("--duckdb", help="the DuckDB file dbt built")
    database.add_argument("--postgres", help="libpq connection string of the database dbt built")
    parser.add_argument("--schema", help="the schema of the gold_* tables (main / gold)")
    args = parser.parse_args(argv)
    schema = args.schema or ("main" if args.duckdb else "gold")
    cursor, driver_error = connect(args)
    gold = {}
    for section, (key, query) in QUERIES.items():
        try:
            cursor.execute(query.format(s=schema) + " order by 1")
            rows = cursor.fetchall()
        except driver_error as err:
            sys.exit(f"cannot read Gold list {section!r} (has dbt built it?): {err}")
        gold[section] = [{key: k, "trips": t, "revenue_cents": c} for k, t, c in rows]
    json.dump(gold, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
