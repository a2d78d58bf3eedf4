-- Bronze and Silver as JSON-lines files under ${output_path}, in place of sinks_lake.sql: in
-- the local test (DuckDB compares Silver with the reference) and in the stack with
-- `storage=files`, where no Iceberg runtime can be had (dbt reads the files). Same table
-- names and columns as the lakehouse tables, so the transforms run unchanged.
CREATE TEMPORARY TABLE bronze_trips (
  trip_id STRING,
  VendorID INT,
  tpep_pickup_datetime STRING,
  tpep_dropoff_datetime STRING,
  passenger_count BIGINT,
  trip_distance DOUBLE,
  RatecodeID BIGINT,
  store_and_fwd_flag STRING,
  PULocationID INT,
  DOLocationID INT,
  payment_type BIGINT,
  fare_amount DECIMAL(10, 2),
  extra DECIMAL(10, 2),
  mta_tax DECIMAL(10, 2),
  tip_amount DECIMAL(10, 2),
  tolls_amount DECIMAL(10, 2),
  improvement_surcharge DECIMAL(10, 2),
  total_amount DECIMAL(10, 2),
  congestion_surcharge DECIMAL(10, 2),
  Airport_fee DECIMAL(10, 2),
  cbd_congestion_fee DECIMAL(10, 2)
) WITH (
  'connector' = 'filesystem',
  'path' = '${output_path}/bronze',
  -- json, or debezium-json where the source is a changelog (P12's change events: a plain
  -- json sink refuses one even when, as there, only inserts arrive).
  'format' = '${bronze_format}',
  '${bronze_format}.encode.decimal-as-plain-number' = 'true',
  -- When a part file is rolled (job-sql.sh: every 2 s in a streaming job).
  ${file_rolling}
);

CREATE TEMPORARY TABLE silver_trips (
  trip_id STRING,
  vendor_id INT,
  pickup_datetime TIMESTAMP(3),
  dropoff_datetime TIMESTAMP(3),
  passenger_count BIGINT,
  trip_distance DOUBLE,
  rate_code_id BIGINT,
  store_and_fwd_flag STRING,
  pickup_location_id INT,
  dropoff_location_id INT,
  payment_type BIGINT,
  fare_amount DECIMAL(10, 2),
  extra DECIMAL(10, 2),
  mta_tax DECIMAL(10, 2),
  tip_amount DECIMAL(10, 2),
  tolls_amount DECIMAL(10, 2),
  improvement_surcharge DECIMAL(10, 2),
  total_amount DECIMAL(10, 2),
  congestion_surcharge DECIMAL(10, 2),
  airport_fee DECIMAL(10, 2),
  cbd_congestion_fee DECIMAL(10, 2)
) WITH (
  'connector' = 'filesystem',
  'path' = '${output_path}/silver',
  -- A changelog format, because Flink 2.0's planner types Silver's keep-first deduplication
  -- as a changelog (see silver.sql) and a plain `json` file sink refuses one. At run time the
  -- deduplication emits inserts only: every record is {"op": "c", "after": {...}}, and the
  -- local test fails on any other op.
  'format' = 'debezium-json',
  'debezium-json.encode.decimal-as-plain-number' = 'true',
  'debezium-json.timestamp-format.standard' = 'ISO-8601',
  ${file_rolling}
);
