#!/usr/bin/env python3
"""Turn a Flink job's Silver files into the Parquet Silver dbt reads, and say where it is.

    flink_files_silver.py SILVER_DIR OUT.parquet

SILVER_DIR holds the committed part files of Flink's filesystem sink in `debezium-json`
(shared/flink/sql/sinks_files.sql): one {"op": "c", "after": {...}} change a line, all of them
inserts. Each `after` becomes a row with the contract's types (docs/data-contract.md §3),
written to OUT.parquet. Prints the dbt vars for RTDE_DBT_VARS on stdout. A change other than
an insert, or no part file at all, exits 1 naming the folder.
"""

import json
import sys
from pathlib import Path

import duckdb

MONEY = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
         "improvement_surcharge", "total_amount", "congestion_surcharge", "airport_fee",
         "cbd_congestion_fee")


def main(argv):
    if len(argv) != 2:
        print("usage: flink_files_silver.py SILVER_DIR OUT.parquet", file=sys.stderr)
        return 2
    silver, out = Path(argv[0]), Path(argv[1])
    # Committed part files only: Flink names in-progress ones `.part-…`.
    parts = sorted(p for p in silver.rglob("part-*") if p.is_file())
    if not parts:
        print(f"flink_files_silver.py: no committed part file in {silver}: did the job finish?",
              file=sys.stderr)
        return 1
    con = duckdb.connect()
    con.execute("create table changes as select op, after from read_json(?, "
                "format = 'newline_delimited', columns = {'op': 'varchar', 'after': 'json'})",
                [[str(p) for p in parts]])
    others = con.execute("select count(*) from changes where op <> 'c'").fetchone()[0]
    if others:
        print(f"flink_files_silver.py: {others} changes in {silver} are not inserts",
              file=sys.stderr)
        return 1
    money = ", ".join(f"cast(after->>'{c}' as decimal(10, 2)) as {c}" for c in MONEY)
    con.execute(f"""
        copy (
            select
                after->>'trip_id' as trip_id,
                cast(after->>'vendor_id' as integer) as vendor_id,
                cast(after->>'pickup_datetime' as timestamp) as pickup_datetime,
                cast(after->>'dropoff_datetime' as timestamp) as dropoff_datetime,
                cast(after->>'passenger_count' as bigint) as passenger_count,
                cast(after->>'trip_distance' as double) as trip_distance,
                cast(after->>'rate_code_id' as bigint) as rate_code_id,
                after->>'store_and_fwd_flag' as store_and_fwd_flag,
                cast(after->>'pickup_location_id' as integer) as pickup_location_id,
                cast(after->>'dropoff_location_id' as integer) as dropoff_location_id,
                cast(after->>'payment_type' as bigint) as payment_type,
                {money}
            from changes
        ) to '{out}' (format parquet)""")
    print(json.dumps({"silver_source": "parquet", "silver_path": str(out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
