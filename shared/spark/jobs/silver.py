"""Silver job: the Bronze table → the Silver table.

A Structured Streaming query over the Bronze table with `trigger(availableNow=True)`: it
reads the Bronze commits not yet processed, then stops. Each micro-batch goes through
transforms.silver (the canonical rules, deduplicated within the batch) and is merged into
Silver on trip_id: a duplicate that arrives in a later batch, or a batch replayed after a
failure, adds nothing. How it is merged is the table format's (tables.py, RTDE_TABLE_FORMAT):
`MERGE INTO … WHEN NOT MATCHED THEN INSERT` on Iceberg (P02, P05) and Delta (P13), an upsert on
trip_id on Hudi (P22).

The generation window comes from the run's oracle (RTDE_ORACLE, /data/oracle.json).

Under a sustained load the same query runs continuously (continuous.py, through `start`);
this job then runs after it with the same checkpoint, finds nothing left to merge, and
prints the count and writes the vars as after a batch run.

Prints `silver_rows=N`, the rows of the Silver table once the query is done, and writes the
dbt vars that point DuckDB at the table (RTDE_DBT_VARS_OUT): Iceberg's current metadata file,
Delta's table root. A Hudi table has no DuckDB reader: P22's snapshot stage writes its vars.
"""

import json
from pathlib import Path

from common import read_window, setting
from pyspark.sql import DataFrame

import tables
import transforms


def start(spark, lake, trigger: dict, window_start: str, window_end: str):
    """Creates Silver if needed and starts its query over Bronze with `trigger` (as
    bronze.start); returns it."""
    checkpoints = setting("RTDE_SPARK_CHECKPOINTS", "/data/spark/checkpoints")
    lake.create(spark, "silver")

    def merge_batch(batch: DataFrame, _batch_id: int):
        lake.merge(transforms.silver(batch, window_start, window_end), "silver")

    return (
        lake.read_stream(spark, "bronze")
        .writeStream.foreachBatch(merge_batch)
        .option("checkpointLocation", f"{checkpoints}/silver")
        .trigger(**trigger)
        .start()
    )


def main():
    window_start, window_end = read_window(Path(setting("RTDE_ORACLE", "/data/oracle.json")))
    lake = tables.chosen()
    spark = lake.session("rtde-silver")
    start(spark, lake, {"availableNow": True}, window_start, window_end).awaitTermination()

    print(f"silver_rows={lake.read(spark, 'silver').count()}", flush=True)
    dbt_vars = lake.dbt_vars(spark)
    if dbt_vars is not None:
        out = Path(setting("RTDE_DBT_VARS_OUT", "/data/spark/dbt_vars.json"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(dbt_vars))
        print(f"dbt vars: {json.dumps(dbt_vars)}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
