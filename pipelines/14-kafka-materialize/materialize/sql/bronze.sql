-- Bronze: every message that is a JSON object, as received (docs/data-contract.md §2), typed
-- as the reference Bronze from JSON lines (shared/dbt/reference/bronze_jsonl.sql) with one
-- change: money keeps the exact decimal the JSON carries (numeric, not double), so Silver's
-- amounts are never a binary fraction away from the cents that were sent. Timestamps stay the
-- strings that were sent; Silver parses them.
--
-- Plain SQL that Materialize and PostgreSQL both run (see messages.sql).
CREATE MATERIALIZED VIEW bronze_trips AS
WITH objects AS (
    -- The cast sits behind the CASE so that no plan can parse a dead letter as JSON: in
    -- Materialize a failed cast would be an error in the view, not a null.
    SELECT
        kafka_partition,
        kafka_offset,
        CASE WHEN is_json_object THEN message::jsonb END AS j
    FROM taxi_raw_messages
    WHERE is_json_object
)

SELECT
    kafka_partition,
    kafka_offset,
    j ->> 'trip_id' AS trip_id,
    (j ->> 'VendorID')::integer AS "VendorID",
    j ->> 'tpep_pickup_datetime' AS tpep_pickup_datetime,
    j ->> 'tpep_dropoff_datetime' AS tpep_dropoff_datetime,
    (j ->> 'passenger_count')::bigint AS passenger_count,
    (j ->> 'trip_distance')::double precision AS trip_distance,
    (j ->> 'RatecodeID')::bigint AS "RatecodeID",
    j ->> 'store_and_fwd_flag' AS store_and_fwd_flag,
    (j ->> 'PULocationID')::integer AS "PULocationID",
    (j ->> 'DOLocationID')::integer AS "DOLocationID",
    (j ->> 'payment_type')::bigint AS payment_type,
    (j ->> 'fare_amount')::numeric AS fare_amount,
    (j ->> 'extra')::numeric AS extra,
    (j ->> 'mta_tax')::numeric AS mta_tax,
    (j ->> 'tip_amount')::numeric AS tip_amount,
    (j ->> 'tolls_amount')::numeric AS tolls_amount,
    (j ->> 'improvement_surcharge')::numeric AS improvement_surcharge,
    (j ->> 'total_amount')::numeric AS total_amount,
    (j ->> 'congestion_surcharge')::numeric AS congestion_surcharge,
    (j ->> 'Airport_fee')::numeric AS "Airport_fee",
    (j ->> 'cbd_congestion_fee')::numeric AS cbd_congestion_fee
FROM objects;
