"""Every message that is not a JSON object (docs/data-contract.md §2), sent unchanged (key and
value) to the dead-letter topic; the block fails unless the broker acknowledged each one.
"""

import base64
import os

from confluent_kafka import Producer
from silver_rules import parse

if "data_exporter" not in globals():
    from mage_ai.data_preparation.decorators import data_exporter

BROKERS = os.environ.get("RTDE_BROKERS", "broker:9092")
DLQ_TOPIC = os.environ.get("RTDE_DLQ_TOPIC", "taxi.raw_trips.dlq")


def _bytes(text):
    return None if text is None else base64.b64decode(text)


@data_exporter
def dead_letters(raw, *args, **kwargs):
    producer = Producer({"bootstrap.servers": BROKERS, "enable.idempotence": True})
    failures = []

    def delivered(error, _msg):
        if error is not None:
            failures.append(str(error))

    sent = 0
    for key, value in zip(raw["key_b64"], raw["value_b64"]):
        value = _bytes(value)
        if parse(value) is None:
            producer.produce(DLQ_TOPIC, key=_bytes(key), value=value, on_delivery=delivered)
            sent += 1
    left = producer.flush(60)
    if left or failures:
        raise RuntimeError(
            f"dead letters to {DLQ_TOPIC}: {left} unacknowledged, {len(failures)} failed "
            f"({failures[:3]})"
        )
    print(f"dead_letters: {sent} messages to {DLQ_TOPIC}")
