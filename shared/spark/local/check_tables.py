#!/usr/bin/env python3
"""Checks, on PySpark in local mode, what of the jobs' table formats (shared/spark/jobs/
tables.py) can be checked without their jars: Iceberg's, Delta's and Hudi's jars are on
Maven Central, which rtde's machines do not reach.

    check_tables.py --silver SILVER_DIR

- Every statement a format sends to Spark SQL (Iceberg's and Delta's `create_sql` for Bronze
  and Silver, their `merge_sql` into Silver) goes through Spark 3.5's own SQL parser; the plan
  kind is printed, one line each: `parsed=<format>.<statement> <plan>`. (Parsing needs no catalog
  or table format; binding them does, and is not checked here.)
- The column lists of those CREATE TABLEs, made as Parquet tables here, have exactly the
  types the jobs write: Bronze's are transforms.BRONZE_FIELDS' plus the Kafka columns, and
  Silver's are those of the Silver that transforms.silver makes (SILVER_DIR, run_local.py's
  output): `bronze_schema_matches=1`, `silver_schema_matches=1`.
- Hudi's timestamp handling (tables.Hudi.zoned) on that Silver, in a session whose zone is
  UTC (as the stack's): every timestamp_ntz becomes a `timestamp` and keeps its wall-clock
  time: `hudi_zoned_timestamps=N` (columns turned), `hudi_zoned_rows_differing=N` (rows whose
  times, read back in UTC, differ from Silver's).
"""

import argparse
import sys
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jobs"))

import tables  # noqa: E402


def columns(schema: T.StructType) -> list:
    """(name, type) of each field: what a table's DDL decides (nullability aside)."""
    return [(field.name, field.dataType) for field in schema.fields]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silver", required=True, type=Path, help="run_local.py's silver/")
    args = parser.parse_args(argv)
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("rtde-check-tables")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    sql_parser = spark._jsparkSession.sessionState().sqlParser()

    statements = {
        f"{lake.name}.{kind}_{table}": sql(table)
        for lake in (tables.Iceberg(), tables.Delta())
        for kind, sql, tables_of_kind in (
            ("create", lake.create_sql, ("bronze", "silver")),
            ("merge", lake.merge_sql, ("silver",)),
        )
        for table in tables_of_kind
    }
    for name, statement in statements.items():
        print(f"parsed={name} {sql_parser.parsePlan(statement).getClass().getSimpleName()}")

    silver = spark.read.parquet(str(args.silver))
    for table in ("bronze", "silver"):
        spark.sql(tables.ddl(f"check_{table}", table, "parquet"))
    bronze_expected = T.StructType(
        [T.StructField(name, kind) for name, kind in tables.transforms.BRONZE_FIELDS]
        + [T.StructField("kafka_partition", T.IntegerType()),
           T.StructField("kafka_offset", T.LongType()),
           T.StructField("kafka_timestamp", T.TimestampType())])
    made = {table: columns(spark.table(f"check_{table}").schema) for table in ("bronze", "silver")}
    print(f"bronze_schema_matches={int(made['bronze'] == columns(bronze_expected))}")
    print(f"silver_schema_matches={int(made['silver'] == columns(silver.schema))}")

    zoned = tables.Hudi.zoned(silver)
    turned = sum(
        isinstance(before.dataType, T.TimestampNTZType)
        and isinstance(after.dataType, T.TimestampType)
        for before, after in zip(silver.schema.fields, zoned.schema.fields)
    )
    times = ["pickup_datetime", "dropoff_datetime"]
    back = zoned.select("trip_id", *[F.col(c).cast(T.TimestampNTZType()).alias(c) for c in times])
    differing = back.exceptAll(silver.select("trip_id", *times)).count()
    print(f"hudi_zoned_timestamps={turned}")
    print(f"hudi_zoned_rows_differing={differing}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
