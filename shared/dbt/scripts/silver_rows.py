#!/usr/bin/env python3
"""Count an engine's Silver output, the figure rtde checks against the oracle.

    silver_rows.py '/data/silver/*.parquet'

Prints `silver_rows=N` (every row) and `silver_duplicate_ids=N` (rows beyond the first of
each trip_id: Silver deduplicates, so a correct engine prints 0). Counted by DuckDB from the
files themselves, never from the engine's own log, so the check holds the output to account.
"""

import sys

import duckdb


def main(argv):
    if len(argv) != 1:
        print("usage: silver_rows.py PARQUET_PATH_OR_GLOB", file=sys.stderr)
        return 2
    rows, ids = duckdb.sql(
        "select count(*), count(distinct trip_id) from read_parquet(?)", params=[argv[0]]
    ).fetchone()
    print(f"silver_rows={rows}")
    print(f"silver_duplicate_ids={rows - ids}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
