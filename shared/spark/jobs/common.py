"""What the Spark jobs share: their settings, the oracle's window and the lakehouse session.

Settings come from the environment (shared/compose/spark.yaml sets them), so the jobs hold
no address or credential of their own; the defaults are the compose stack's.
"""

import json
import os
import signal
import sys
from pathlib import Path

from pyspark.sql import SparkSession

# The Iceberg catalog as Spark knows it; the tables are `lake.bronze.raw_trips` and
# `lake.silver.trips`.
CATALOG = "lake"
BRONZE_TABLE = f"{CATALOG}.bronze.raw_trips"
SILVER_TABLE = f"{CATALOG}.silver.trips"


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def read_window(oracle: Path) -> tuple[str, str]:
    """The generation window `[start, end)` of the run: RTDE_WINDOW (`start/end`) when set,
    as under a sustained load, where the oracle is written only when the load ends;
    otherwise the generator's oracle."""
    if window := os.environ.get("RTDE_WINDOW"):
        start, sep, end = window.partition("/")
        if not (sep and start and end):
            sys.exit(f"RTDE_WINDOW={window!r} is not START/END")
        return start, end
    try:
        window = json.loads(oracle.read_text())["window"]
        return window["start"], window["end"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        sys.exit(f"cannot read window.start/window.end from the oracle {oracle}: {err}")


def lake_session(app: str) -> SparkSession:
    """A local Spark session with the Iceberg REST catalog (Lakekeeper) as `lake`.

    The catalog tells Spark where each table lives and, asked through the access-delegation
    header, hands out short-lived S3 credentials and the endpoint with each table
    (shared/compose/iceberg-catalog.yaml enables that); those override the S3 settings below,
    which only matter against a catalog that vends nothing (MinIO's local keys, path style).
    """
    prefix = f"spark.sql.catalog.{CATALOG}"
    conf = {
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": setting("RTDE_CATALOG_URI", "http://catalog:8181/catalog"),
        f"{prefix}.warehouse": setting("RTDE_CATALOG_WAREHOUSE", "warehouse"),
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.header.X-Iceberg-Access-Delegation": "vended-credentials",
        f"{prefix}.s3.endpoint": setting("RTDE_S3_ENDPOINT_URL", "http://minio:9000"),
        f"{prefix}.s3.path-style-access": "true",
        f"{prefix}.s3.access-key-id": setting("RTDE_S3_ACCESS_KEY_ID", "minioadmin"),
        f"{prefix}.s3.secret-access-key": setting("RTDE_S3_SECRET_ACCESS_KEY", "minioadmin"),
        f"{prefix}.client.region": setting("RTDE_S3_REGION", "us-east-1"),
    }
    builder = SparkSession.builder.appName(app)
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def run_until_signalled(spark, queries, poll_s: float = 1.0) -> None:
    """Lets `spark`'s continuous `queries` run until SIGINT or SIGTERM, then stops them; exits non-zero
    if one of them fails first.

    The handler only records the signal: the main thread is most often inside a py4j call,
    which Python resumes after the handler (PEP 475), and `awaitAnyTermination` returns
    within `poll_s` to look at it. A query is stopped between micro-batches or interrupted
    in one: a batch's offsets are logged before it runs and its commit after, so the next
    run of the same query redoes an interrupted batch, and Iceberg's streaming sink skips a
    batch it has already committed.
    """
    stop = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda received, _frame: stop.append(received))
    print(f"rtde-spark: {len(queries)} continuous queries running", flush=True)
    while not stop:
        # Raises the failure of a query that failed (the stage fails with its text).
        spark.streams.awaitAnyTermination(poll_s)
        ended = [q.name or q.id for q in queries if not q.isActive]
        if ended and not stop:
            sys.exit(f"the continuous queries {ended} ended before the stop signal")
    for query in queries:
        query.stop()
    print(f"rtde-spark: stopped {len(queries)} queries on {signal.Signals(stop[0]).name}", flush=True)
