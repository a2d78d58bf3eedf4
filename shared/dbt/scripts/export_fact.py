#!/usr/bin/env python3
"""Write dbt's fact table (fct_trips, one row per Silver trip) as one Parquet file.

    export_fact.py --duckdb /data/dbt/rtde.duckdb --out /data/serving/fct_trips.parquet

For a serving engine that loads the fact table Gold is aggregated from, rather than Gold's four
lists (export_gold.py): P10's ClickHouse. Prints `fact_rows=N`, the rows written.
"""

import argparse
import sys
from pathlib import Path

import duckdb


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", required=True, help="the DuckDB file dbt built")
    parser.add_argument("--schema", default="main", help="the schema of fct_trips")
    parser.add_argument("--out", required=True, type=Path, help="the Parquet file to write")
    args = parser.parse_args(argv)
    try:
        db = duckdb.connect(args.duckdb, read_only=True)
        db.execute("set enable_progress_bar = false")
        rows = db.execute(f"select count(*) from {args.schema}.fct_trips").fetchone()[0]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        target = str(args.out).replace("'", "''")
        db.execute(f"copy {args.schema}.fct_trips to '{target}' (format parquet)")
    except duckdb.Error as err:
        sys.exit(f"cannot export fct_trips from {args.duckdb} (has dbt built it?): {err}")
    print(f"fact_rows={rows}")


if __name__ == "__main__":
    main(sys.argv[1:])
