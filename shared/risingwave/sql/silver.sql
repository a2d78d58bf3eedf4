-- Silver: the canonical rules of docs/data-contract.md §3 on bronze_trips, then one row per
-- trip_id, in the Silver column names. The reference is shared/dbt/reference/silver.sql.
--
-- :'window_start' and :'window_end' are the generation window from the run's oracle
-- (window.start, window.end), filled in by rw.py; never a constant here.
--
-- Money is `round(…, 2)` of an exact numeric rather than numeric(10,2): RisingWave's numeric
-- takes no precision or scale (its binder rejects `numeric(p, s)`), and the JSON already
-- carries at most two decimals, so rounding changes no value and states the contract's scale.
--
-- Plain SQL that RisingWave and PostgreSQL both run (see bronze.sql).
CREATE MATERIALIZED VIEW silver_trips AS
WITH typed AS (
    SELECT
        kafka_partition,
        kafka_offset,
        trip_id,
        "VendorID" AS vendor_id,
        -- A timestamp that does not parse aborts a PostgreSQL query; in a RisingWave stream the
        -- failed cast yields null (and an error in the event log), which the rule below drops.
        tpep_pickup_datetime::timestamp AS pickup_datetime,
        tpep_dropoff_datetime::timestamp AS dropoff_datetime,
        passenger_count,
        trip_distance,
        "RatecodeID" AS rate_code_id,
        store_and_fwd_flag,
        "PULocationID" AS pickup_location_id,
        "DOLocationID" AS dropoff_location_id,
        payment_type,
        fare_amount,
        extra,
        mta_tax,
        tip_amount,
        tolls_amount,
        improvement_surcharge,
        total_amount,
        congestion_surcharge,
        "Airport_fee" AS airport_fee,
        cbd_congestion_fee
    FROM bronze_trips
),

kept AS (
    SELECT *
    FROM typed
    WHERE
        pickup_datetime IS NOT NULL
        AND dropoff_datetime IS NOT NULL
        AND dropoff_datetime > pickup_datetime
        AND fare_amount > 0
        AND trip_distance >= 0
        AND passenger_count IS NOT NULL
        AND pickup_location_id BETWEEN 1 AND 265
        AND dropoff_location_id BETWEEN 1 AND 265
        AND pickup_datetime >= :'window_start'::timestamp
        AND pickup_datetime < :'window_end'::timestamp
),

ranked AS (
    -- A re-sent duplicate is byte for byte its original and carries the same key, so both
    -- copies sit in one partition: the lower offset is the copy that arrived first.
    -- RisingWave plans `row_number() … = 1` as a streaming group top-N (its deduplication).
    SELECT
        *,
        row_number() OVER (
            PARTITION BY trip_id ORDER BY kafka_partition, kafka_offset::bigint
        ) AS copy_number
    FROM kept
)

SELECT
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
    round(fare_amount, 2) AS fare_amount,
    round(extra, 2) AS extra,
    round(mta_tax, 2) AS mta_tax,
    round(tip_amount, 2) AS tip_amount,
    round(tolls_amount, 2) AS tolls_amount,
    round(improvement_surcharge, 2) AS improvement_surcharge,
    round(total_amount, 2) AS total_amount,
    round(congestion_surcharge, 2) AS congestion_surcharge,
    round(airport_fee, 2) AS airport_fee,
    round(cbd_congestion_fee, 2) AS cbd_congestion_fee
FROM ranked
WHERE copy_number = 1;
