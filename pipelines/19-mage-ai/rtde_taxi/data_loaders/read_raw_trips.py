"""Every message of the raw topic, read from the beginning to the end each partition has when
the block runs (the consumer's partition-EOF event, which comes from the fetch responses, not
from ListOffsets: tansu's ListOffsets answers short ends). Keys and values are kept as
base64 text, byte for byte, so a dead letter leaves exactly as it came.
"""

import base64
import os

import pandas as pd
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

if "data_loader" not in globals():
    from mage_ai.data_preparation.decorators import data_loader

BROKERS = os.environ.get("RTDE_BROKERS", "broker:9092")
TOPIC = os.environ.get("RTDE_TOPIC", "taxi.raw_trips")


def _b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


@data_loader
def read_raw_trips(*args, **kwargs):
    consumer = Consumer(
        {
            "bootstrap.servers": BROKERS,
            "group.id": "rtde-mage-p19",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        partitions = consumer.list_topics(TOPIC, timeout=30).topics[TOPIC].partitions
        if not partitions:
            raise RuntimeError(f"topic {TOPIC} has no partitions on {BROKERS}")
        consumer.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in partitions])
        open_partitions = set(partitions)
        rows = []
        while open_partitions:
            for msg in consumer.consume(num_messages=10_000, timeout=1.0):
                error = msg.error()
                if error is None:
                    rows.append((msg.partition(), msg.offset(), _b64(msg.key()), _b64(msg.value())))
                elif error.code() == KafkaError._PARTITION_EOF:
                    open_partitions.discard(msg.partition())
                else:
                    raise RuntimeError(f"reading {TOPIC}: {error}")
    finally:
        consumer.close()
    print(f"read_raw_trips: {len(rows)} messages from {len(partitions)} partitions")
    return pd.DataFrame(rows, columns=["partition", "offset", "key_b64", "value_b64"])
