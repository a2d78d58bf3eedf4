"""The canonical Silver rules (docs/data-contract.md §3) for one Kafka message, in Python.

Pure functions, no engine: P20's Bytewax dataflow and P19's Mage blocks wire them between
Kafka and Parquet, and they read line by line against the reference SQL
(shared/dbt/reference/silver.sql).
Money is parsed as Decimal straight from the JSON text, so no amount ever passes through a
binary float on its way to decimal(10,2).
"""

import json
from datetime import datetime
from decimal import Decimal

CENT = Decimal("0.01")

# Event field → Silver column, for the money fields (decimal(10,2) in Silver).
MONEY = {
    "fare_amount": "fare_amount",
    "extra": "extra",
    "mta_tax": "mta_tax",
    "tip_amount": "tip_amount",
    "tolls_amount": "tolls_amount",
    "improvement_surcharge": "improvement_surcharge",
    "total_amount": "total_amount",
    "congestion_surcharge": "congestion_surcharge",
    "Airport_fee": "airport_fee",
    "cbd_congestion_fee": "cbd_congestion_fee",
}


class Window:
    """The generation window `[start, end)`, from the run's oracle (never a constant)."""

    def __init__(self, start: datetime, end: datetime):
        self.start = start
        self.end = end

    @classmethod
    def from_oracle(cls, path: str) -> "Window":
        with open(path, encoding="utf-8") as f:
            window = json.load(f)["window"]
        return cls(datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"]))

    @classmethod
    def from_text(cls, text: str) -> "Window":
        """`start/end`, for a processor that starts before the oracle is written."""
        start, end = text.split("/")
        return cls(datetime.fromisoformat(start), datetime.fromisoformat(end))

    def holds(self, pickup: datetime) -> bool:
        return self.start <= pickup < self.end


def parse(value):
    """The event of a message value, or None when it is not a JSON object (a dead letter)."""
    if value is None:
        return None
    try:
        event = json.loads(value, parse_float=Decimal)
    except (UnicodeDecodeError, ValueError):
        return None
    return event if isinstance(event, dict) else None


def _timestamp(text):
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _number(value):
    """A JSON number as Decimal; anything else (null, a string, a bool) as None."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return Decimal(value)


def _zone(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 265


def silver_row(event: dict, window: Window):
    """The Silver row of a Bronze event, or None when a rule drops it.

    Same rules, in the same order, as the reference SQL: both timestamps parse, drop-off
    after pickup, fare > 0, distance >= 0, passenger count present, both zones in 1-265,
    pickup inside the window. Deduplication on trip_id is the dataflow's job (it needs state).
    """
    pickup = _timestamp(event.get("tpep_pickup_datetime"))
    dropoff = _timestamp(event.get("tpep_dropoff_datetime"))
    if pickup is None or dropoff is None or not dropoff > pickup:
        return None
    fare = _number(event.get("fare_amount"))
    distance = _number(event.get("trip_distance"))
    if fare is None or not fare > 0 or distance is None or distance < 0:
        return None
    if event.get("passenger_count") is None:
        return None
    if not (_zone(event.get("PULocationID")) and _zone(event.get("DOLocationID"))):
        return None
    if not window.holds(pickup):
        return None
    row = {
        "trip_id": event.get("trip_id"),
        "vendor_id": event.get("VendorID"),
        "pickup_datetime": pickup,
        "dropoff_datetime": dropoff,
        "passenger_count": event.get("passenger_count"),
        "trip_distance": float(distance),
        "rate_code_id": event.get("RatecodeID"),
        "store_and_fwd_flag": event.get("store_and_fwd_flag"),
        "pickup_location_id": event.get("PULocationID"),
        "dropoff_location_id": event.get("DOLocationID"),
        "payment_type": event.get("payment_type"),
    }
    for field, column in MONEY.items():
        amount = _number(event.get(field))
        row[column] = None if amount is None else amount.quantize(CENT)
    return row
