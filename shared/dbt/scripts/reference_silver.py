#!/usr/bin/env python3
"""Build the reference Bronze and Silver with DuckDB and write Silver as Parquet.

This runs the SQL in shared/dbt/reference/ (the specification of Silver) over one of the
generator's sinks, with the generation window taken from the generator's oracle, and writes
`silver.parquet` where the dbt project's default source (var `silver_path`) reads it.

    reference_silver.py --bronze parquet:BRONZE.parquet --oracle ORACLE.json --out DIR
    reference_silver.py --bronze jsonl:BRONZE.jsonl     --oracle ORACLE.json --out DIR

It prints `bronze_rows=N`, `dead_letters=N` and `silver_rows=N` on stdout so a caller can
compare them with the oracle; with --check it compares them itself and exits 1 on a mismatch.
"""

import argparse
import glob
import json
import sys
from pathlib import Path

import duckdb

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
LOADERS = {"parquet": "bronze_parquet.sql", "jsonl": "bronze_jsonl.sql"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bronze", required=True, help="KIND:PATH, KIND one of parquet, jsonl")
    parser.add_argument("--oracle", required=True, type=Path, help="the generator's oracle JSON")
    parser.add_argument("--out", required=True, type=Path, help="folder for silver.parquet")
    parser.add_argument("--duckdb", default=":memory:", help="DuckDB file to keep the tables in")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a count differs from the oracle"
    )
    args = parser.parse_args(argv)
    kind, sep, path = args.bronze.partition(":")
    if not sep or kind not in LOADERS or not path:
        parser.error(f"--bronze must be parquet:PATH or jsonl:PATH, got {args.bronze!r}")
    args.kind, args.path = kind, path
    return args


def read_window(oracle_path):
    try:
        window = json.loads(oracle_path.read_text())["window"]
        return window["start"], window["end"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read window.start/window.end from the oracle {oracle_path}: {err}")


def run_sql_file(con, name):
    con.execute((REFERENCE / name).read_text())


def main(argv):
    args = parse_args(argv)
    if not glob.glob(args.path):
        sys.exit(f"the Bronze input {args.path} does not exist: run `rtde generate` first")
    start, end = read_window(args.oracle)
    args.out.mkdir(parents=True, exist_ok=True)

    con = duckdb.connect(args.duckdb)
    con.execute("set variable bronze_path = ?", [args.path])
    con.execute("set variable window_start = ?", [start])
    con.execute("set variable window_end = ?", [end])
    run_sql_file(con, LOADERS[args.kind])
    run_sql_file(con, "silver.sql")
    silver_file = args.out / "silver.parquet"
    con.execute("copy silver to ? (format parquet)", [str(silver_file)])

    counts = {
        "bronze_rows": con.execute("select count(*) from bronze").fetchone()[0],
        "dead_letters": con.execute("select count(*) from dead_letters").fetchone()[0],
        "silver_rows": con.execute("select count(*) from silver").fetchone()[0],
    }
    for name, value in counts.items():
        print(f"{name}={value}")
    if args.check:
        oracle = json.loads(args.oracle.read_text())
        wrong = [f"{k}: reference {v}, oracle {oracle[k]}" for k, v in counts.items() if oracle[k] != v]
        # Parquet cannot carry a malformed message, so its dead letters are not comparable.
        if args.kind == "parquet":
            wrong = [w for w in wrong if not w.startswith("dead_letters")]
        if wrong:
            sys.exit("reference Silver disagrees with the oracle:\n  " + "\n  ".join(wrong))


if __name__ == "__main__":
    main(sys.argv[1:])
