-- Silver: docs/data-contract.md §3 exactly (shared/dbt/reference/silver.sql is the reference
-- every engine must equal row for row). The generation window [window_start, window_end)
-- is substituted from the run's oracle by shared/flink/bin/job-sql.sh, never a constant.
--
-- Deduplication keeps the first row per trip_id in processing order: a re-sent duplicate is
-- byte-for-byte its original, so any copy is right, and keep-first on processing time is the
-- one deduplication Flink runs as an append-only stream: its operator never retracts. Flink
-- 2.0's planner nevertheless types every streaming ROW_NUMBER as a changelog (fixed in 2.1 by
-- FLINK-37005), so the sinks must accept one: the Iceberg sink does (no equality fields, so it
-- appends what arrives), the local file sink writes debezium-json and the test checks that
-- only inserts arrived.
INSERT INTO silver_trips
SELECT
  trip_id, vendor_id, pickup_datetime, dropoff_datetime, passenger_count, trip_distance,
  rate_code_id, store_and_fwd_flag, pickup_location_id, dropoff_location_id, payment_type,
  fare_amount, extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount,
  congestion_surcharge, airport_fee, cbd_congestion_fee
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY trip_id ORDER BY `proc_time`) AS copy_number
  FROM (
    SELECT
      trip_id,
      VendorID AS vendor_id,
      TO_TIMESTAMP(tpep_pickup_datetime, 'yyyy-MM-dd''T''HH:mm:ss') AS pickup_datetime,
      TO_TIMESTAMP(tpep_dropoff_datetime, 'yyyy-MM-dd''T''HH:mm:ss') AS dropoff_datetime,
      passenger_count,
      trip_distance,
      RatecodeID AS rate_code_id,
      store_and_fwd_flag,
      PULocationID AS pickup_location_id,
      DOLocationID AS dropoff_location_id,
      payment_type,
      fare_amount,
      extra,
      mta_tax,
      tip_amount,
      tolls_amount,
      improvement_surcharge,
      total_amount,
      congestion_surcharge,
      Airport_fee AS airport_fee,
      cbd_congestion_fee,
      `proc_time`
    FROM bronze_records
  )
  WHERE
    -- TO_TIMESTAMP gives null for a string that does not parse: "not null and parses".
    pickup_datetime IS NOT NULL
    AND dropoff_datetime IS NOT NULL
    AND dropoff_datetime > pickup_datetime
    AND fare_amount > 0
    AND trip_distance >= 0
    AND passenger_count IS NOT NULL
    AND pickup_location_id BETWEEN 1 AND 265
    AND dropoff_location_id BETWEEN 1 AND 265
    AND pickup_datetime >= TO_TIMESTAMP('${window_start}', 'yyyy-MM-dd''T''HH:mm:ss')
    AND pickup_datetime < TO_TIMESTAMP('${window_end}', 'yyyy-MM-dd''T''HH:mm:ss')
)
WHERE copy_number = 1;
