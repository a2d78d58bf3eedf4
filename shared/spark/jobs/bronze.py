"""Bronze job: Kafka topic → Iceberg table lake.bronze.raw_trips, bad messages → the DLQ topic.

Two Structured Streaming queries over one Kafka source, both with `trigger(availableNow=True)`:
each reads the topic's backlog as it stands when the job starts, then stops, so the job ends
when the messages the generator sent are in Bronze (a job that finishes, not a sleep).

- Bronze: every message that is a JSON object (transforms.bronze), with its Kafka partition,
  offset and timestamp, appended to Iceberg; the checkpoint makes the append exactly-once.
- Dead letters: every other message, key and value unchanged, to the topic
  `taxi.raw_trips.dlq` (at-least-once, as every Kafka sink is).

Prints `bronze_rows=N`: the rows of the Bronze table once both queries are done.

Under a sustained load the same two queries run continuously (continuous.py starts them with
a processing-time trigger through `start`).
"""

from common import BRONZE_TABLE, lake_session, setting
from pyspark.sql import functions as F

import transforms

BRONZE_DDL = f"""
create table if not exists {BRONZE_TABLE} (
    {", ".join(f"`{name}` {kind.simpleString()}" for name, kind in transforms.BRONZE_FIELDS)},
    kafka_partition int,
    kafka_offset bigint,
    kafka_timestamp timestamp
)
using iceberg
tblproperties ('format-version' = '2')
"""


def start(spark, trigger: dict):
    """Creates Bronze if needed and starts its two queries with `trigger` (DataStreamWriter's
    keywords: `availableNow=True`, `processingTime="2 seconds"`); returns them."""
    bootstrap = setting("RTDE_KAFKA_BOOTSTRAP", "broker:9092")
    checkpoints = setting("RTDE_SPARK_CHECKPOINTS", "/data/spark/checkpoints")
    spark.sql(f"create namespace if not exists {BRONZE_TABLE.rsplit('.', 1)[0]}")
    spark.sql(BRONZE_DDL)

    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("subscribe", setting("RTDE_TOPIC", "taxi.raw_trips"))
        .option("startingOffsets", "earliest")
        # Losing data is an error here: the counts are checked against the oracle.
        .option("failOnDataLoss", "true")
        .load()
        .select(
            "key",
            "value",
            F.col("partition").alias("kafka_partition"),
            F.col("offset").alias("kafka_offset"),
            F.col("timestamp").alias("kafka_timestamp"),
        )
    )
    classified = transforms.classify(raw)
    return [
        transforms.bronze(classified, keep=("kafka_partition", "kafka_offset", "kafka_timestamp"))
        .writeStream.format("iceberg")
        .outputMode("append")
        .option("checkpointLocation", f"{checkpoints}/bronze")
        .trigger(**trigger)
        .toTable(BRONZE_TABLE),
        transforms.dead_letters(classified)
        .select("key", "value")
        .writeStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("topic", setting("RTDE_DLQ_TOPIC", "taxi.raw_trips.dlq"))
        .option("checkpointLocation", f"{checkpoints}/dead_letters")
        .trigger(**trigger)
        .start(),
    ]


def main():
    spark = lake_session("rtde-bronze")
    for query in start(spark, {"availableNow": True}):
        query.awaitTermination()
    print(f"bronze_rows={spark.table(BRONZE_TABLE).count()}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
