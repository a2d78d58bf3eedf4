"""P21's entities and feature views: Gold-shaped demand features keyed the way the oracle's
Gold is (docs/data-contract.md §4), so that the online values can be held to the oracle.

- `pickup_date` (string `YYYY-MM-DD`): `daily_demand` — trips and revenue in cents of the day.
- `payment_type` (int64): `payment_demand` — trips and revenue in cents of the payment type.

The sources are the Parquet files materialize.py computes from Silver, under ./data; each row
carries `event_timestamp` (the day's midnight, or the window's end for the payment types).
"""

from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast.types import Int64

# Features never expire: the benchmark's window lies in the past, and reading it back is the
# point.
FOREVER = timedelta(days=36500)

pickup_date = Entity(name="pickup_date", join_keys=["pickup_date"],
                     value_type=ValueType.STRING)
payment_type = Entity(name="payment_type", join_keys=["payment_type"],
                      value_type=ValueType.INT64)

daily_demand = FeatureView(
    name="daily_demand",
    entities=[pickup_date],
    ttl=FOREVER,
    schema=[Field(name="trips", dtype=Int64), Field(name="revenue_cents", dtype=Int64)],
    online=True,
    source=FileSource(path="data/daily_demand.parquet", timestamp_field="event_timestamp"),
)

payment_demand = FeatureView(
    name="payment_demand",
    entities=[payment_type],
    ttl=FOREVER,
    schema=[Field(name="trips", dtype=Int64), Field(name="revenue_cents", dtype=Int64)],
    online=True,
    source=FileSource(path="data/payment_demand.parquet", timestamp_field="event_timestamp"),
)
