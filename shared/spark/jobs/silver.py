"""Silver job: lake.bronze.raw_trips → the Iceberg table lake.silver.trips.

A Structured Streaming query over the Bronze table with `trigger(availableNow=True)`: it
reads the Bronze snapshots not yet processed, then stops. Each micro-batch goes through
transforms.silver (the canonical rules, deduplicated within the batch) and is merged into
Silver on trip_id, inserting only ids Silver does not hold yet: a duplicate that arrives in a
later batch, or a batch replayed after a failure, adds nothing.

The generation window comes from the run's oracle (RTDE_ORACLE, /data/oracle.json).

Prints `silver_rows=N`, the rows of the Silver table once the query is done, and writes the
dbt vars that point DuckDB's iceberg_scan at the table's current metadata file
(RTDE_DBT_VARS_OUT): the REST catalog chooses where a table lives and writes no
version-hint file, so only the catalog or this job knows which metadata file is current.

Under a sustained load the same query runs continuously (continuous.py, through `start`);
this job then runs after it with the same checkpoint, finds nothing left to merge, and
prints the count and writes the vars as after a batch run.
"""

import json
from pathlib import Path

from common import BRONZE_TABLE, SILVER_TABLE, lake_session, read_window, setting
from pyspark.sql import DataFrame

import transforms

SILVER_DDL = f"""
create table if not exists {SILVER_TABLE} (
    trip_id string,
    vendor_id int,
    pickup_datetime timestamp_ntz,
    dropoff_datetime timestamp_ntz,
    passenger_count bigint,
    trip_distance double,
    rate_code_id bigint,
    store_and_fwd_flag string,
    pickup_location_id int,
    dropoff_location_id int,
    payment_type bigint,
    {", ".join(f"{column} decimal(10, 2)" for _, column in transforms.MONEY)}
)
using iceberg
tblproperties ('format-version' = '2')
"""

MERGE = f"""
merge into {SILVER_TABLE} as target
using silver_batch as batch
on target.trip_id = batch.trip_id
when not matched then insert *
"""


def start(spark, trigger: dict, window_start: str, window_end: str):
    """Creates Silver if needed and starts its query over Bronze with `trigger` (as
    bronze.start); returns it."""
    checkpoints = setting("RTDE_SPARK_CHECKPOINTS", "/data/spark/checkpoints")
    spark.sql(f"create namespace if not exists {SILVER_TABLE.rsplit('.', 1)[0]}")
    spark.sql(SILVER_DDL)

    def merge_batch(batch: DataFrame, _batch_id: int):
        transforms.silver(batch, window_start, window_end).createOrReplaceTempView("silver_batch")
        batch.sparkSession.sql(MERGE)

    return (
        spark.readStream.format("iceberg")
        .load(BRONZE_TABLE)
        .writeStream.foreachBatch(merge_batch)
        .option("checkpointLocation", f"{checkpoints}/silver")
        .trigger(**trigger)
        .start()
    )


def main():
    window_start, window_end = read_window(Path(setting("RTDE_ORACLE", "/data/oracle.json")))
    spark = lake_session("rtde-silver")
    start(spark, {"availableNow": True}, window_start, window_end).awaitTermination()

    print(f"silver_rows={spark.table(SILVER_TABLE).count()}", flush=True)
    # The metadata log lists the table's metadata files, the current one last.
    metadata = (
        spark.sql(f"select file from {SILVER_TABLE}.metadata_log_entries order by timestamp desc")
        .first()
        .file
    )
    dbt_vars = {"silver_source": "iceberg", "silver_iceberg_path": metadata}
    out = Path(setting("RTDE_DBT_VARS_OUT", "/data/spark/dbt_vars.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dbt_vars))
    print(f"silver metadata: {metadata}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
