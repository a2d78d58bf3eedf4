-- Silver: the canonical rules of docs/data-contract.md §3 on bronze_trips, then one row per
-- trip_id, in the Silver column names. The reference is shared/dbt/reference/silver.sql.
--
-- :'window_start' and :'window_end' are the generation window from the run's oracle
-- (window.start, window.end), filled in by mz.py; never a constant here.
--
-- A failed cast in Materialize is an error in the view, not a null, so a timestamp is parsed
-- only when it has the contract's shape `YYYY-MM-DDTHH:MM:SS`; any other text is null and the
-- rule below drops it (a string of that shape that is no date, such as month 13, would still
-- be an error: the generator never writes one).
--
-- Plain SQL that Materialize and PostgreSQL both run (see messages.sql).
CREATE MATERIALIZED VIEW silver_trips AS
WITH typed AS (
    SELECT
        kafka_partition,
        kafka_offset,
        trip_id,
        "VendorID" AS vendor_id,
        CASE
            WHEN tpep_pickup_datetime ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'
                THEN tpep_pickup_datetime::timestamp
        END AS pickup_datetime,
        CASE
            WHEN tpep_dropoff_datetime ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'
                THEN tpep_dropoff_datetime::timestamp
        END AS dropoff_datetime,
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

first_copies AS (
    -- A re-sent duplicate is byte for byte its original and carries the same key, so both
    -- copies sit in one partition: the lower offset is the copy that arrived first.
    -- Materialize plans DISTINCT ON as a TopK of one row per trip_id.
    SELECT DISTINCT ON (trip_id) *
    FROM kept
    ORDER BY trip_id, kafka_partition, kafka_offset
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
    fare_amount::numeric(10, 2) AS fare_amount,
    extra::numeric(10, 2) AS extra,
    mta_tax::numeric(10, 2) AS mta_tax,
    tip_amount::numeric(10, 2) AS tip_amount,
    tolls_amount::numeric(10, 2) AS tolls_amount,
    improvement_surcharge::numeric(10, 2) AS improvement_surcharge,
    total_amount::numeric(10, 2) AS total_amount,
    congestion_surcharge::numeric(10, 2) AS congestion_surcharge,
    airport_fee::numeric(10, 2) AS airport_fee,
    cbd_congestion_fee::numeric(10, 2) AS cbd_congestion_fee
FROM first_copies;
