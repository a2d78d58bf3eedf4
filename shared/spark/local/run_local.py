#!/usr/bin/env python3
"""Runs the P02/P05 Spark transforms in local mode on the generator's JSON lines file.

The streaming jobs read Kafka and write Iceberg and Kafka; this driver swaps those for files
and runs the same transform functions (shared/spark/jobs/transforms.py) the same way:
Bronze and the dead letters as two Structured Streaming queries over one source with
`trigger(availableNow=True)`, then Silver over Bronze. It needs only PySpark and Java: no
Kafka or Iceberg jar.

    run_local.py --events EVENTS.jsonl --oracle ORACLE.json --out DIR

writes DIR/bronze/, DIR/dead_letters/ and DIR/silver/ (Parquet folders) and prints
`bronze_rows=N`, `dead_letters=N`, `silver_rows=N` and `seconds=S` (the time from the
session's start to Silver written).
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jobs"))

import transforms  # noqa: E402
from common import read_window  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", required=True, type=Path, help="`rtde generate --sink jsonl:`")
    parser.add_argument("--oracle", required=True, type=Path, help="the generator's oracle JSON")
    parser.add_argument("--out", required=True, type=Path, help="folder for the Parquet outputs")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if not args.events.is_file():
        sys.exit(f"{args.events} does not exist: run `rtde generate --sink jsonl:PATH` first")
    window_start, window_end = read_window(args.oracle)
    started = time.monotonic()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("rtde-spark-local")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # 10,000 events fit one partition; the default 200 shuffle partitions only add tasks.
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    out = args.out.resolve()
    for folder in ("bronze", "dead_letters", "silver"):
        shutil.rmtree(out / folder, ignore_errors=True)
    checkpoints = Path(tempfile.mkdtemp(prefix="rtde-spark-local-"))

    # The file source stands in for the Kafka topic: one line, one message. A line-format
    # artefact (an empty line) is not a message, as in the reference Bronze. A streaming file
    # source reads a folder, so the events file is linked into one of its own.
    source = checkpoints / "source"
    source.mkdir()
    (source / args.events.name).symlink_to(args.events.resolve())
    raw = (
        spark.readStream.format("text")
        .load(str(source))
        .where(F.trim("value") != "")
    )
    classified = transforms.classify(raw)
    queries = [
        transforms.bronze(classified)
        .writeStream.format("parquet")
        .option("path", str(out / "bronze"))
        .option("checkpointLocation", str(checkpoints / "bronze"))
        .trigger(availableNow=True)
        .start(),
        transforms.dead_letters(classified)
        .writeStream.format("parquet")
        .option("path", str(out / "dead_letters"))
        .option("checkpointLocation", str(checkpoints / "dead_letters"))
        .trigger(availableNow=True)
        .start(),
    ]
    for query in queries:
        query.awaitTermination()

    bronze_rows = spark.read.parquet(str(out / "bronze"))
    silver = transforms.silver(bronze_rows, window_start, window_end)
    silver.coalesce(1).write.parquet(str(out / "silver"))
    seconds = time.monotonic() - started

    counts = {
        "bronze_rows": bronze_rows.count(),
        "dead_letters": spark.read.parquet(str(out / "dead_letters")).count(),
        "silver_rows": spark.read.parquet(str(out / "silver")).count(),
    }
    spark.stop()
    shutil.rmtree(checkpoints, ignore_errors=True)
    for name, value in counts.items():
        print(f"{name}={value}")
    print(f"seconds={seconds:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
