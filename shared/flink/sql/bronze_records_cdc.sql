-- Bronze on the CDC path: the rows of the change events (cdc_trips), with the same columns
-- as bronze_records.sql, so bronze.sql and silver.sql run unchanged. Timestamps come back as
-- the event's `YYYY-MM-DDTHH:MM:SS` strings from Debezium's epoch microseconds (the
-- generator's are whole seconds, and a zone-free TIMESTAMPADD keeps them local time, as the
-- table's `timestamp without time zone` is); money from its decimal text, never through a
-- double. The original P12 divided epoch values by a million while its connector wrote
-- milliseconds (time.precision.mode=connect): here the unit is what the engine is told to
-- write (capture.py) and a test holds the result to the reference Silver.
CREATE TEMPORARY VIEW bronze_records AS
SELECT
  trip_id,
  VendorID,
  DATE_FORMAT(TIMESTAMPADD(SECOND, CAST(tpep_pickup_datetime / 1000000 AS INT),
    TIMESTAMP '1970-01-01 00:00:00'), 'yyyy-MM-dd''T''HH:mm:ss') AS tpep_pickup_datetime,
  DATE_FORMAT(TIMESTAMPADD(SECOND, CAST(tpep_dropoff_datetime / 1000000 AS INT),
    TIMESTAMP '1970-01-01 00:00:00'), 'yyyy-MM-dd''T''HH:mm:ss') AS tpep_dropoff_datetime,
  passenger_count,
  CAST(trip_distance AS DOUBLE) AS trip_distance,
  RatecodeID,
  store_and_fwd_flag,
  PULocationID,
  DOLocationID,
  payment_type,
  CAST(fare_amount AS DECIMAL(10, 2)) AS fare_amount,
  CAST(extra AS DECIMAL(10, 2)) AS extra,
  CAST(mta_tax AS DECIMAL(10, 2)) AS mta_tax,
  CAST(tip_amount AS DECIMAL(10, 2)) AS tip_amount,
  CAST(tolls_amount AS DECIMAL(10, 2)) AS tolls_amount,
  CAST(improvement_surcharge AS DECIMAL(10, 2)) AS improvement_surcharge,
  CAST(total_amount AS DECIMAL(10, 2)) AS total_amount,
  CAST(congestion_surcharge AS DECIMAL(10, 2)) AS congestion_surcharge,
  CAST(Airport_fee AS DECIMAL(10, 2)) AS Airport_fee,
  CAST(cbd_congestion_fee AS DECIMAL(10, 2)) AS cbd_congestion_fee,
  `proc_time`
FROM cdc_trips;
