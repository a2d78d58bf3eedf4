-- The reference Silver: docs/data-contract.md §3 applied to a `bronze` relation (DuckDB SQL).
--
-- This file is the specification every engine's Silver must match row for row (Flink SQL,
-- Spark, RisingWave, Bytewax, ...). It reads the relation `bronze` (made by bronze_parquet.sql
-- or bronze_jsonl.sql) and creates the table `silver`.
--
-- Parameters (DuckDB variables, set with `SET VARIABLE name = value` before this file runs):
--   window_start, window_end  the generation window `[start, end)` from the oracle's `window`
--                             (never a constant here: another seed or --start moves it)

create or replace table silver as
with typed as (
    select
        trip_id,
        "VendorID" as vendor_id,
        -- try_cast turns an unparseable timestamp into null, and the first rule drops nulls:
        -- the rule is "not null and parses", so a bad string must not abort the whole load.
        -- Bronze from Parquet already holds timestamps; from JSON it holds ISO strings.
        try_cast(tpep_pickup_datetime as timestamp) as pickup_datetime,
        try_cast(tpep_dropoff_datetime as timestamp) as dropoff_datetime,
        passenger_count,
        trip_distance,
        "RatecodeID" as rate_code_id,
        store_and_fwd_flag,
        "PULocationID" as pickup_location_id,
        "DOLocationID" as dropoff_location_id,
        payment_type,
        fare_amount,
        extra,
        mta_tax,
        tip_amount,
        tolls_amount,
        improvement_surcharge,
        total_amount,
        congestion_surcharge,
        "Airport_fee" as airport_fee,
        cbd_congestion_fee
    from bronze
),

kept as (
    select *
    from typed
    where
        pickup_datetime is not null
        and dropoff_datetime is not null
        and dropoff_datetime > pickup_datetime
        and fare_amount > 0
        and trip_distance >= 0
        and passenger_count is not null
        and pickup_location_id between 1 and 265
        and dropoff_location_id between 1 and 265
        and pickup_datetime >= cast(getvariable('window_start') as timestamp)
        and pickup_datetime < cast(getvariable('window_end') as timestamp)
),

deduplicated as (
    -- A re-sent duplicate is byte-for-byte its original, so which copy survives does not
    -- matter; ordering by every column still makes the choice reproducible.
    select *
    from kept
    qualify row_number() over (partition by trip_id order by kept) = 1
)

select
    trip_id,
    vendor_id,
    pickup_datetime,
    dropoff_datetime,
    passenger_count,
    trip_distance,
    rate_code_id,
    store_and_fwd_flag,
    pickup_location_id,
    dropoff_location_id,
    payment_type,
    cast(fare_amount as decimal(10, 2)) as fare_amount,
    cast(extra as decimal(10, 2)) as extra,
    cast(mta_tax as decimal(10, 2)) as mta_tax,
    cast(tip_amount as decimal(10, 2)) as tip_amount,
    cast(tolls_amount as decimal(10, 2)) as tolls_amount,
    cast(improvement_surcharge as decimal(10, 2)) as improvement_surcharge,
    cast(total_amount as decimal(10, 2)) as total_amount,
    cast(congestion_surcharge as decimal(10, 2)) as congestion_surcharge,
    cast(airport_fee as decimal(10, 2)) as airport_fee,
    cast(cbd_congestion_fee as decimal(10, 2)) as cbd_congestion_fee
from deduplicated;
