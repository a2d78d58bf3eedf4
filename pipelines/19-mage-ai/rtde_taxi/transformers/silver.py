"""Silver: the canonical rules (shared/python/silver_rules.py, the same functions P20's
Bytewax dataflow runs) on each Bronze record, inside the generation window the run's oracle
gives, then the first copy of each trip_id. Money travels to the next block as decimal text,
never as a binary float.
"""

import os

import pandas as pd
from silver_parquet import SILVER_SCHEMA
from silver_rules import MONEY, Window, parse, silver_row

if "transformer" not in globals():
    from mage_ai.data_preparation.decorators import transformer

ORACLE = os.environ.get("RTDE_ORACLE", "/data/oracle.json")
INTEGERS = ["vendor_id", "passenger_count", "rate_code_id", "pickup_location_id",
            "dropoff_location_id", "payment_type"]


@transformer
def silver(bronze, *args, **kwargs):
    window = Window.from_oracle(ORACLE)
    rows, seen = [], set()
    # In the order the broker holds them, so the kept copy is the first one sent.
    for payload in bronze.sort_values(["partition", "offset"])["payload"]:
        row = silver_row(parse(payload.encode("utf-8")), window)
        if row is None or row["trip_id"] in seen:
            continue
        seen.add(row["trip_id"])
        for column in MONEY.values():
            row[column] = None if row[column] is None else str(row[column])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=SILVER_SCHEMA.names)
    for column in INTEGERS:
        frame[column] = frame[column].astype("Int64")
    print(f"silver: {len(frame)} of {len(bronze)} Bronze records")
    return frame
