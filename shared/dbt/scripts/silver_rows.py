#!/usr/bin/env python3
"""Count an engine's Silver output (and Bronze, when it writes one), the figures rtde checks
against the oracle.

    silver_rows.py '/data/silver/*.parquet' [--bronze '/data/bronze/*.parquet']

Prints `silver_rows=N` (every row) and `silver_duplicate_ids=N` (rows beyond the first of
each trip_id: Silver deduplicates, so a correct engine prints 0), and with `--bronze`
`bronze_rows=N`. Counted by DuckDB from the files themselves, never from the engine's own
log, so the check holds the output to account.
"""

import argparse
import sys

import duckdb


def main(argv):
    args = argparse.ArgumentParser(description="Count Silver (and Bronze) Parquet rows.")
    args.add_argument("silver", metavar="PARQUET_PATH_OR_GLOB")
    args.add_argument("--bronze", metavar="PARQUET_PATH_OR_GLOB")
    opts = args.parse_args(argv)
    rows, ids = duckdb.sql(
        "select count(*), count(distinct trip_id) from read_parquet(?)", params=[opts.silver]
    ).fetchone()
    print(f"silver_rows={rows}")
    print(f"silver_duplicate_ids={rows - ids}")
    if opts.bronze:
        (bronze,) = duckdb.sql("select count(*) from read_parquet(?)", params=[opts.bronze]).fetchone()
        print(f"bronze_rows={bronze}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
