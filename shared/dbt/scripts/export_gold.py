#!/usr/bin/env python3
"""Print the Gold aggregates of a DuckDB file in the oracle's `gold` JSON shape.

    export_gold.py --duckdb target/rtde.duckdb [--schema main]

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


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", required=True, help="the DuckDB file dbt built")
    parser.add_argument("--schema", default="main", help="the schema of the gold_* tables")
    args = parser.parse_args(argv)
    try:
        con = duckdb.connect(args.duckdb, read_only=True)
    except duckdb.Error as err:
        sys.exit(f"cannot open the DuckDB file {args.duckdb}: {err}")
    gold = {}
    for section, (key, query) in QUERIES.items():
        try:
            rows = con.execute(query.format(s=args.schema) + " order by 1").fetchall()
        except duckdb.Error as err:
            sys.exit(f"cannot read Gold list {section!r} (has dbt built it?): {err}")
        gold[section] = [{key: k, "trips": t, "revenue_cents": c} for k, t, c in rows]
    json.dump(gold, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
