#!/usr/bin/env python3
"""Runs P02/P05's continuous mode in local mode: the queries follow a folder of JSON lines
files as continuous.py follows the topic, until SIGINT.

The stack's continuous job (shared/spark/jobs/continuous.py) starts the batch jobs' queries
with a processing-time trigger and stops them with `common.run_until_signalled`; its Kafka
source and Iceberg sinks need jars this machine cannot download. This driver keeps what it
can: the same trigger, the same transforms, the same stop, and Silver's merge semantics
(a row is inserted only if Silver does not hold its trip_id yet, as silver.py's MERGE), with
a folder of files for the topic and Parquet folders for the tables.

    run_continuous_local.py --source DIR --out DIR      (window from RTDE_WINDOW)

Prints `rtde-spark: … queries running` once started, `silver_batch=N rows=M` after each
Silver micro-batch (M: Silver's rows after it), and, after the stop, `bronze_rows=N`,
`dead_letters=N`, `silver_rows=N`. A file is picked up once it appears under its final name
(write it elsewhere, then rename it into the folder).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jobs"))

import transforms  # noqa: E402
from common import read_window, run_until_signalled, setting  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, type=Path, help="the folder standing for the topic")
    parser.add_argument("--out", required=True, type=Path, help="folder for the Parquet tables")
    return parser.parse_args(argv)


def wait_for(path: Path, deadline_s: float):
    """Waits, polling with a deadline, until `path` exists."""
    deadline = time.monotonic() + deadline_s
    while not path.exists():
        if time.monotonic() > deadline:
            sys.exit(f"{path} did not appear within {deadline_s:.0f} s")
        time.sleep(0.2)  # poll interval of the wait above


def main(argv):
    args = parse_args(argv)
    # The stack's window source under a sustained load (the oracle comes only at the end).
    window_start, window_end = read_window(Path("/nonexistent/oracle.json"))
    trigger = {"processingTime": setting("RTDE_SPARK_TRIGGER", "2 seconds")}
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("rtde-spark-continuous-local")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    out = args.out.resolve()
    checkpoints = Path(tempfile.mkdtemp(prefix="rtde-spark-continuous-"))
    bronze_dir, dead_dir, silver_dir = out / "bronze", out / "dead_letters", out / "silver"

    raw = spark.readStream.format("text").load(str(args.source)).where(F.trim("value") != "")
    classified = transforms.classify(raw)

    def sink(frame, path, name):
        return (
            frame.writeStream.format("parquet")
            .option("path", str(path))
            .option("checkpointLocation", str(checkpoints / name))
            .trigger(**trigger)
            .start()
        )

    def merge_batch(batch, batch_id):
        rows = transforms.silver(batch, window_start, window_end)
        columns = rows.columns
        if (silver_dir / "_SUCCESS").exists():
            held = batch.sparkSession.read.parquet(str(silver_dir)).select("trip_id")
            # A using-join puts the key first: the columns back in Silver's order.
            rows = rows.join(held, "trip_id", "left_anti").select(*columns)
        rows.write.mode("append").parquet(str(silver_dir))
        total = batch.sparkSession.read.parquet(str(silver_dir)).count()
        print(f"silver_batch={batch_id} rows={total}", flush=True)

    queries = [
        sink(transforms.bronze(classified), bronze_dir, "bronze"),
        sink(transforms.dead_letters(classified), dead_dir, "dead_letters"),
    ]
    # Bronze's Parquet folder, read as a stream through its sink's log (so a file being
    # written is never read), stands for the Iceberg Bronze table silver.py follows. The
    # sink makes the log when it starts; the source must find it there.
    wait_for(bronze_dir / "_spark_metadata", deadline_s=60)
    queries.append(
        spark.readStream.schema(transforms.bronze(classified).schema)
        .parquet(str(bronze_dir))
        .writeStream.foreachBatch(merge_batch)
        .option("checkpointLocation", str(checkpoints / "silver"))
        .trigger(**trigger)
        .start()
    )
    run_until_signalled(spark, queries)
    counts = {
        "bronze_rows": spark.read.parquet(str(bronze_dir)).count(),
        "dead_letters": spark.read.parquet(str(dead_dir)).count(),
        "silver_rows": spark.read.parquet(str(silver_dir)).count(),
    }
    spark.stop()
    for name, value in counts.items():
        print(f"{name}={value}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
