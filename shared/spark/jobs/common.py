"""What the Spark jobs share: their settings, the oracle's window and the lakehouse session.

Settings come from the environment (shared/compose/spark.yaml sets them), so the jobs hold
no address or credential of their own; the defaults are the compose stack's.
"""

import json
import os
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
    """The generation window `[start, end)` of the run, from the generator's oracle."""
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
