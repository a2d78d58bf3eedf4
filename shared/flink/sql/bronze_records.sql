-- Bronze as a view over the source: every message that parses as a JSON object
-- (docs/data-contract.md §2), as received, with no filtering and no deduplication. Fields keep
-- the event's names; timestamps stay the event's strings (Silver parses them), numbers are
-- typed, distance as DOUBLE like the reference Silver. Money is cast from the JSON number's
-- text, never through DOUBLE, so 12.35 stays 12.35. TRY_CAST: one odd value in a valid JSON
-- object becomes null (and Silver's rules drop the record) instead of failing the whole job.
CREATE TEMPORARY VIEW bronze_records AS
SELECT
  JSON_VALUE(`payload`, '$.trip_id') AS trip_id,
  TRY_CAST(JSON_VALUE(`payload`, '$.VendorID') AS INT) AS VendorID,
  JSON_VALUE(`payload`, '$.tpep_pickup_datetime') AS tpep_pickup_datetime,
  JSON_VALUE(`payload`, '$.tpep_dropoff_datetime') AS tpep_dropoff_datetime,
  TRY_CAST(JSON_VALUE(`payload`, '$.passenger_count') AS BIGINT) AS passenger_count,
  TRY_CAST(JSON_VALUE(`payload`, '$.trip_distance') AS DOUBLE) AS trip_distance,
  TRY_CAST(JSON_VALUE(`payload`, '$.RatecodeID') AS BIGINT) AS RatecodeID,
  JSON_VALUE(`payload`, '$.store_and_fwd_flag') AS store_and_fwd_flag,
  TRY_CAST(JSON_VALUE(`payload`, '$.PULocationID') AS INT) AS PULocationID,
  TRY_CAST(JSON_VALUE(`payload`, '$.DOLocationID') AS INT) AS DOLocationID,
  TRY_CAST(JSON_VALUE(`payload`, '$.payment_type') AS BIGINT) AS payment_type,
  TRY_CAST(JSON_VALUE(`payload`, '$.fare_amount') AS DECIMAL(10, 2)) AS fare_amount,
  TRY_CAST(JSON_VALUE(`payload`, '$.extra') AS DECIMAL(10, 2)) AS extra,
  TRY_CAST(JSON_VALUE(`payload`, '$.mta_tax') AS DECIMAL(10, 2)) AS mta_tax,
  TRY_CAST(JSON_VALUE(`payload`, '$.tip_amount') AS DECIMAL(10, 2)) AS tip_amount,
  TRY_CAST(JSON_VALUE(`payload`, '$.tolls_amount') AS DECIMAL(10, 2)) AS tolls_amount,
  TRY_CAST(JSON_VALUE(`payload`, '$.improvement_surcharge') AS DECIMAL(10, 2)) AS improvement_surcharge,
  TRY_CAST(JSON_VALUE(`payload`, '$.total_amount') AS DECIMAL(10, 2)) AS total_amount,
  TRY_CAST(JSON_VALUE(`payload`, '$.congestion_surcharge') AS DECIMAL(10, 2)) AS congestion_surcharge,
  TRY_CAST(JSON_VALUE(`payload`, '$.Airport_fee') AS DECIMAL(10, 2)) AS Airport_fee,
  TRY_CAST(JSON_VALUE(`payload`, '$.cbd_congestion_fee') AS DECIMAL(10, 2)) AS cbd_congestion_fee,
  `proc_time`
FROM raw_trips
WHERE `payload` IS JSON OBJECT;
