#!/usr/bin/env python3
"""Why P22 reads Hudi through its timeline: a copy-on-write table with an upsert, read by
hudi-rs (its latest snapshot) and by a Parquet glob (as the original P22's dbt source did).

    hudi_glob.py --silver SILVER.parquet --table DIR

Writes Silver's rows as a Hudi copy-on-write table, by hand (no Hudi writer installs here:
Spark's Hudi bundle comes from Maven Central), as Hudi 0.x lays one out: `.hoodie/` with
`hoodie.properties` and the timeline (`<instant>.commit.requested`, `.inflight`, `.commit`
holding the write stats), and base files `<fileId>_<writeToken>_<instant>.parquet` with
Hudi's five meta columns. Timestamps are written zoned (UTC), as P22's Spark job writes them
(shared/spark/jobs/tables.py). Commit 1 inserts every row into two file groups, the first
group's rows in an earlier version (each `fare_amount` one cent lower); commit 2 upserts
that group's rows to Silver's values, which on a copy-on-write table rewrites the group's
whole file under the new instant and leaves the old version in place until the cleaner runs.
The table's latest snapshot is therefore exactly Silver.

Prints `silver_rows` (Silver's rows), `hudi_snapshot_rows` (hudi-rs's read), `glob_rows`
(DuckDB's `read_parquet` over every base file), `upserted_rows` and `snapshot_upserts_seen`
(rows of the snapshot carrying the upserted fare).
"""

import argparse
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hudi import HudiTable

PROPERTIES = {
    "hoodie.table.name": "silver_trips",
    "hoodie.table.type": "COPY_ON_WRITE",
    "hoodie.table.version": "6",
    "hoodie.timeline.layout.version": "1",
    "hoodie.table.recordkey.fields": "trip_id",
    "hoodie.table.precombine.field": "pickup_datetime",
    "hoodie.table.partition.fields": "",
    "hoodie.table.base.file.format": "PARQUET",
    "hoodie.table.keygenerator.class": "org.apache.hudi.keygen.NonpartitionedKeyGenerator",
    "hoodie.populate.meta.fields": "true",
}
GROUPS = ["3a1e7b5c-0000-4000-8000-000000000001-0", "3a1e7b5c-0000-4000-8000-000000000002-0"]


def zoned(rows):
    """Each zone-less timestamp column as UTC instants of the same wall-clock time."""
    for index, field in enumerate(rows.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is None:
            rows = rows.set_column(index, field.name, rows.column(index).cast(
                pa.timestamp(field.type.unit, tz="UTC")))
    return rows


def write_slice(table, root, file_id, instant, rows):
    name = f"{file_id}_0-1-0_{instant}.parquet"
    meta = {
        "_hoodie_commit_time": pa.array([instant] * rows.num_rows),
        "_hoodie_commit_seqno": pa.array([f"{instant}_0_{i}" for i in range(rows.num_rows)]),
        "_hoodie_record_key": rows.column("trip_id"),
        "_hoodie_partition_path": pa.array([""] * rows.num_rows),
        "_hoodie_file_name": pa.array([name] * rows.num_rows),
    }
    pq.write_table(pa.table({**meta, **{c: rows.column(c) for c in rows.column_names}}),
                   root / name)
    return {"fileId": file_id, "path": name, "partitionPath": "", "numWrites": rows.num_rows}


def commit(root, instant, stats, operation):
    timeline = root / ".hoodie"
    (timeline / f"{instant}.commit.requested").write_text("")
    (timeline / f"{instant}.inflight").write_text("")
    (timeline / f"{instant}.commit").write_text(json.dumps(
        {"partitionToWriteStats": {"": stats}, "operationType": operation}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silver", required=True, type=Path)
    parser.add_argument("--table", required=True, type=Path)
    args = parser.parse_args()
    silver = pq.read_table(args.silver)
    root = args.table.resolve()
    shutil.rmtree(root, ignore_errors=True)
    (root / ".hoodie").mkdir(parents=True)
    (root / ".hoodie/hoodie.properties").write_text(
        "".join(f"{k}={v}\n" for k, v in PROPERTIES.items()))

    silver = zoned(silver)
    half = silver.num_rows // 2
    first, second = silver.slice(0, half), silver.slice(half)
    fare = first.schema.field("fare_amount").type
    stale = first.set_column(
        first.schema.get_field_index("fare_amount"), "fare_amount",
        pc.subtract(first.column("fare_amount"), pa.scalar(0.01).cast(fare)).cast(fare))
    commit(root, "20240201000000000", [
        write_slice(silver, root, GROUPS[0], "20240201000000000", stale),
        write_slice(silver, root, GROUPS[1], "20240201000000000", second)], "INSERT")
    upserted = first
    commit(root, "20240202000000000", [
        write_slice(silver, root, GROUPS[0], "20240202000000000", upserted)], "UPSERT")

    snapshot = pa.Table.from_batches(HudiTable(str(root)).read())
    glob = duckdb.sql(f"select count(*) from read_parquet('{root}/*.parquet')").fetchone()[0]
    seen = duckdb.sql(
        "select count(*) from snapshot s join upserted u using (trip_id) "
        "where s.fare_amount = u.fare_amount").fetchone()[0]
    print(f"silver_rows={silver.num_rows}")
    print(f"hudi_snapshot_rows={snapshot.num_rows}")
    print(f"glob_rows={glob}")
    print(f"upserted_rows={upserted.num_rows}")
    print(f"snapshot_upserts_seen={seen}")


if __name__ == "__main__":
    main()
