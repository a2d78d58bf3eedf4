"""The Spark transforms of P02/P05: raw messages → Bronze and dead letters → Silver.

Every function here takes and returns DataFrames and knows nothing of Kafka, Iceberg or files,
so the same code runs in the streaming jobs (bronze.py, silver.py: Kafka source, Iceberg and
Kafka sinks) and on a file source in local mode (shared/spark/local/run_local.py, which the
test tests/engine_spark.rs compares with the reference Silver). docs/data-contract.md §2–3 is
the specification; shared/dbt/reference/ is the reference implementation in DuckDB SQL.
"""

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

# Bronze: the event's fields (docs/data-contract.md §1) with the reference Bronze's types
# (shared/dbt/reference/bronze_jsonl.sql): the generator's Parquet types, timestamps kept as
# the strings that were sent (Silver parses them), money and distance as double.
BRONZE_FIELDS = [
    ("trip_id", T.StringType()),
    ("VendorID", T.IntegerType()),
    ("tpep_pickup_datetime", T.StringType()),
    ("tpep_dropoff_datetime", T.StringType()),
    ("passenger_count", T.LongType()),
    ("trip_distance", T.DoubleType()),
    ("RatecodeID", T.LongType()),
    ("store_and_fwd_flag", T.StringType()),
    ("PULocationID", T.IntegerType()),
    ("DOLocationID", T.IntegerType()),
    ("payment_type", T.LongType()),
    ("fare_amount", T.DoubleType()),
    ("extra", T.DoubleType()),
    ("mta_tax", T.DoubleType()),
    ("tip_amount", T.DoubleType()),
    ("tolls_amount", T.DoubleType()),
    ("improvement_surcharge", T.DoubleType()),
    ("total_amount", T.DoubleType()),
    ("congestion_surcharge", T.DoubleType()),
    ("Airport_fee", T.DoubleType()),
    ("cbd_congestion_fee", T.DoubleType()),
]

MONEY = [
    ("fare_amount", "fare_amount"),
    ("extra", "extra"),
    ("mta_tax", "mta_tax"),
    ("tip_amount", "tip_amount"),
    ("tolls_amount", "tolls_amount"),
    ("improvement_surcharge", "improvement_surcharge"),
    ("total_amount", "total_amount"),
    ("congestion_surcharge", "congestion_surcharge"),
    ("Airport_fee", "airport_fee"),
    ("cbd_congestion_fee", "cbd_congestion_fee"),
]

_OBJECT = "_json_object"


def _as_object(value: Column) -> Column:
    """The message parsed as a JSON object of field → JSON text, or null when it is not one.

    A map of strings rather than a struct of the Bronze types: with a struct, Spark nulls the
    whole record when one field has the wrong type, whereas the contract keeps every JSON
    object and types each field on its own (a wrong-typed field becomes null, as the
    reference's try_cast does). from_json gives null for text that is not JSON and for JSON
    that is not an object (an array, a string, `null`). Its parser stops at the end of the
    first JSON value, so text after a complete object would pass where the reference's
    json_valid fails; the generator's malformed messages are cut-off objects, which fail both.
    """
    return F.from_json(value.cast("string"), T.MapType(T.StringType(), T.StringType()))


def classify(raw: DataFrame) -> DataFrame:
    """Adds to the raw messages (a `value` column, string or bytes) their parsed JSON object."""
    return raw.withColumn(_OBJECT, _as_object(F.col("value")))


def bronze(classified: DataFrame, keep: tuple[str, ...] = ()) -> DataFrame:
    """Bronze (docs/data-contract.md §2): every message that is a JSON object, as received.

    `keep` names columns of the raw messages to carry along (the Kafka job keeps the
    partition, offset and timestamp of each record).
    """
    fields = F.col(_OBJECT)
    return classified.where(fields.isNotNull()).select(
        *[fields.getItem(name).cast(kind).alias(name) for name, kind in BRONZE_FIELDS],
        *keep,
    )


def dead_letters(classified: DataFrame) -> DataFrame:
    """The messages that are not JSON objects, unchanged (every raw column, `value` as sent)."""
    return classified.where(F.col(_OBJECT).isNull()).drop(_OBJECT)


def silver(bronze_rows: DataFrame, window_start: str, window_end: str) -> DataFrame:
    """Silver: the canonical rules of docs/data-contract.md §3, deduplicated on trip_id.

    `window_start`/`window_end` are the generation window `[start, end)` from the run's
    oracle (`window.start`, `window.end`), never a constant. On a stream this is applied to
    each micro-batch; the job's MERGE on trip_id removes duplicates across batches.
    """
    # A string that does not parse casts to null (ANSI mode is off), which the first rule
    # drops: "not null and parses". timestamp_ntz: the times are local New York time with no
    # zone, so no session time zone may shift them (Iceberg `timestamp`, Parquet
    # isAdjustedToUTC=false: what DuckDB reads as TIMESTAMP, like the reference).
    pickup = F.col("tpep_pickup_datetime").cast(T.TimestampNTZType())
    dropoff = F.col("tpep_dropoff_datetime").cast(T.TimestampNTZType())
    start = F.lit(window_start).cast(T.TimestampNTZType())
    end = F.lit(window_end).cast(T.TimestampNTZType())

    typed = bronze_rows.select(
        "trip_id",
        F.col("VendorID").alias("vendor_id"),
        pickup.alias("pickup_datetime"),
        dropoff.alias("dropoff_datetime"),
        "passenger_count",
        "trip_distance",
        F.col("RatecodeID").alias("rate_code_id"),
        "store_and_fwd_flag",
        F.col("PULocationID").alias("pickup_location_id"),
        F.col("DOLocationID").alias("dropoff_location_id"),
        "payment_type",
        *[F.col(field).alias(column) for field, column in MONEY],
    )
    kept = typed.where(
        F.col("pickup_datetime").isNotNull()
        & F.col("dropoff_datetime").isNotNull()
        & (F.col("dropoff_datetime") > F.col("pickup_datetime"))
        & (F.col("fare_amount") > 0)
        & (F.col("trip_distance") >= 0)
        & F.col("passenger_count").isNotNull()
        & F.col("pickup_location_id").between(1, 265)
        & F.col("dropoff_location_id").between(1, 265)
        & (F.col("pickup_datetime") >= start)
        & (F.col("pickup_datetime") < end)
    )
    # A re-sent duplicate is byte-for-byte its original: any copy will do.
    deduplicated = kept.dropDuplicates(["trip_id"])
    return deduplicated.select(
        *[
            F.col(name).cast(T.DecimalType(10, 2)).alias(name)
            if name in {column for _, column in MONEY}
            else F.col(name)
            for name in deduplicated.columns
        ]
    )
