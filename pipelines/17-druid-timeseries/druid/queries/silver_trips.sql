-- Silver in Druid's SQL: the canonical rules (docs/data-contract.md §3), then one row per
-- trip_id. Put into each query in place of `:silver_trips` by shared/serving/serve.py.
-- Druid's streaming ingestion keeps every message (rollup is off), duplicates included; a
-- re-sent copy is byte for byte its original, so any of a trip_id's values is the trip's
-- (MIN picks one). __time is the pickup (the supervisor's timestampSpec), in UTC, which is
-- the local time that was sent: no zone is applied anywhere.
SELECT
    trip_id,
    MIN(__time) AS pickup,
    MIN(PULocationID) AS pickup_location_id,
    MIN(payment_type) AS payment_type,
    MIN(total_amount) AS total_amount
FROM taxi_trips
WHERE
    TIME_PARSE(tpep_dropoff_datetime) > __time
    AND fare_amount > 0
    AND trip_distance >= 0
    AND passenger_count IS NOT NULL
    AND PULocationID BETWEEN 1 AND 265
    AND DOLocationID BETWEEN 1 AND 265
    AND __time >= TIME_PARSE(:'window_start')
    AND __time < TIME_PARSE(:'window_end')
GROUP BY trip_id
