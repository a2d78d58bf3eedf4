"""Bronze job: Kafka topic → the Bronze table, bad messages → the DLQ topic.

Two Structured Streaming queries over one Kafka source, both with `trigger(availableNow=True)`:
each reads the topic's backlog as it stands when the job starts, then stops, so the job ends
when the messages the generator sent are in Bronze (a job that finishes, not a sleep).

- Bronze: every message that is a JSON object (transforms.bronze), with its Kafka partition,
  offset and timestamp, appended to the table; the checkpoint makes the append exactly-once.
  The table's format is RTDE_TABLE_FORMAT's (tables.py): Iceberg `lake.bronze.raw_trips`
  (P02, P05), a Delta table (P13) or a Hudi table, inserted (P22).
- Dead letters: every other message, key and value unchanged, to the topic
  `taxi.raw_trips.dlq` (at-least-once, as every Kafka sink is).

Prints `bronze_rows=N`: the rows of the Bronze table once both queries are done.

Under a sustained load the same two queries run continuously (continuous.py starts them with
a processing-time trigger through `start`).
"""

from common import setting
from pyspark.sql import functions as F

import tables
import transforms


def start(spark, lake, trigger: dict):
    """Creates Bronze if needed and starts its two queries with `trigger` (DataStreamWriter's
    keywords: `availableNow=True`, `processingTime="2 seconds"`); returns them."""
    bootstrap = setting("RTDE_KAFKA_BOOTSTRAP", "broker:9092")
    checkpoints = setting("RTDE_SPARK_CHECKPOINTS", "/data/spark/checkpoints")
    lake.create(spark, "bronze")

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
        lake.append_stream(
            transforms.bronze(
                classified, keep=("kafka_partition", "kafka_offset", "kafka_timestamp")
            ),
            "bronze",
            f"{checkpoints}/bronze",
            trigger,
        ),
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
    lake = tables.chosen()
    spark = lake.session("rtde-bronze")
    for query in start(spark, lake, {"availableNow": True}):
        query.awaitTermination()
    print(f"bronze_rows={lake.read(spark, 'bronze').count()}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
