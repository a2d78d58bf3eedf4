"""Silver's Parquet schema, for the Python engines that write it (P19's Mage blocks, P20's
Bytewax dataflow): the columns of docs/data-contract.md §3, money as decimal(10,2), times in
microseconds without a zone, as dbt's `silver_source: parquet` reads them.
"""

import pyarrow as pa

MONEY = pa.decimal128(10, 2)

SILVER_SCHEMA = pa.schema(
    [
        ("trip_id", pa.string()),
        ("vendor_id", pa.int64()),
        ("pickup_datetime", pa.timestamp("us")),
        ("dropoff_datetime", pa.timestamp("us")),
        ("passenger_count", pa.int64()),
        ("trip_distance", pa.float64()),
        ("rate_code_id", pa.int64()),
        ("store_and_fwd_flag", pa.string()),
        ("pickup_location_id", pa.int64()),
        ("dropoff_location_id", pa.int64()),
        ("payment_type", pa.int64()),
        ("fare_amount", MONEY),
        ("extra", MONEY),
        ("mta_tax", MONEY),
        ("tip_amount", MONEY),
        ("tolls_amount", MONEY),
        ("improvement_surcharge", MONEY),
        ("total_amount", MONEY),
        ("congestion_surcharge", MONEY),
        ("airport_fee", MONEY),
        ("cbd_congestion_fee", MONEY),
    ]
)
