#!/usr/bin/env python3
"""P22's snapshot stage: Silver's latest Hudi snapshot, by the table's timeline, as the Parquet
Silver dbt reads, and the dbt vars that name it.

    hudi_silver.py --table URI --out SILVER.parquet [--vars-out VARS.json]

DuckDB has no Hudi reader, and a Parquet glob over a Hudi table is wrong: on copy-on-write an
upsert rewrites each file group it touches under a new instant and leaves the previous version
in place until the cleaner runs, so a glob counts every upserted trip once per version, and it
would also read files of a commit still in flight. hudi-rs (PyPI `hudi`) reads the snapshot
as Hudi defines it: the completed instants of the timeline, the latest file slice of each file
group (and, on a merge-on-read table, its log files merged in). That read is exported rather
than handed over as a list of base files for DuckDB to read, because a list of base files is
the snapshot only for copy-on-write and only without log files, and because the export also
drops Hudi's five meta columns and gives Silver the contract's types (docs/data-contract.md
§3): the Spark job writes timestamps as Spark `timestamp` in UTC (shared/spark/jobs/tables.py),
which become the zone-less wall-clock times again here.

URI is a folder or `s3://bucket/path`; for S3, RTDE_S3_ENDPOINT_URL, RTDE_S3_ACCESS_KEY_ID,
RTDE_S3_SECRET_ACCESS_KEY and RTDE_S3_REGION give the store (MinIO in the stack: path style,
plain HTTP). Prints `snapshot_rows=N`, `snapshot_instant=T` (the latest completed commit) and
the vars; writes VARS.json for the dbt stage. A table with no completed commit exits 1.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hudi import HudiTable

MONEY = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount",
         "improvement_surcharge", "total_amount", "congestion_surcharge", "airport_fee",
         "cbd_congestion_fee")
# Silver's columns and types (docs/data-contract.md §3), as the reference Silver has them.
CONTRACT = pa.schema([
    ("trip_id", pa.string()),
    ("vendor_id", pa.int32()),
    ("pickup_datetime", pa.timestamp("us")),
    ("dropoff_datetime", pa.timestamp("us")),
    ("passenger_count", pa.int64()),
    ("trip_distance", pa.float64()),
    ("rate_code_id", pa.int64()),
    ("store_and_fwd_flag", pa.string()),
    ("pickup_location_id", pa.int32()),
    ("dropoff_location_id", pa.int32()),
    ("payment_type", pa.int64()),
    *[(column, pa.decimal128(10, 2)) for column in MONEY],
])


def storage_options(uri: str) -> dict[str, str]:
    """object_store's S3 settings from the stack's environment; none for a local folder."""
    if not uri.startswith("s3://"):
        return {}
    endpoint = os.environ.get("RTDE_S3_ENDPOINT_URL", "http://minio:9000")
    return {
        "aws_endpoint_url": endpoint,
        "aws_access_key_id": os.environ.get("RTDE_S3_ACCESS_KEY_ID", "minioadmin"),
        "aws_secret_access_key": os.environ.get("RTDE_S3_SECRET_ACCESS_KEY", "minioadmin"),
        "aws_region": os.environ.get("RTDE_S3_REGION", "us-east-1"),
        "aws_allow_http": str(endpoint.startswith("http://")).lower(),
        "aws_virtual_hosted_style_request": "false",
    }


def contract_typed(snapshot: pa.Table) -> pa.Table:
    """The snapshot's contract columns in the contract's order and types. A zoned timestamp
    (what Spark's `timestamp` becomes) holds UTC instants; dropping its zone keeps those
    values, the wall-clock times the Spark session (time zone UTC) was given."""
    missing = [name for name in CONTRACT.names if name not in snapshot.column_names]
    if missing:
        sys.exit(f"hudi_silver.py: the snapshot has no column {missing}: is this Silver?")
    return snapshot.select(CONTRACT.names).cast(CONTRACT)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="the Hudi table: a folder or s3:// URI")
    parser.add_argument("--out", required=True, type=Path, help="the Parquet Silver to write")
    parser.add_argument("--vars-out", type=Path, help="where to write the dbt vars (JSON)")
    args = parser.parse_args(argv)

    # hudi-rs takes URLs: a folder is made absolute.
    uri = args.table if "://" in args.table else str(Path(args.table).resolve())
    table = HudiTable(uri, storage_options(uri))
    commits = table.get_timeline().get_completed_commits()
    if not commits:
        sys.exit(f"hudi_silver.py: {args.table} has no completed commit: did the silver job run?")
    # The default read is the snapshot query, as of the latest completed commit.
    snapshot = pa.Table.from_batches(table.read(), schema=table.get_schema_with_meta_fields())
    silver = contract_typed(snapshot)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(silver, args.out)
    dbt_vars = {"silver_source": "parquet", "silver_path": str(args.out.resolve())}
    if args.vars_out:
        args.vars_out.parent.mkdir(parents=True, exist_ok=True)
        args.vars_out.write_text(json.dumps(dbt_vars))
    print(f"snapshot_rows={silver.num_rows}")
    print(f"snapshot_instant={table.get_timeline().get_latest_commit_timestamp()}")
    print(f"dbt vars: {json.dumps(dbt_vars)}")


if __name__ == "__main__":
    main(sys.argv[1:])
