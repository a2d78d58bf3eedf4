-- The stack's sinks: Bronze and Silver as Iceberg tables in lake.taxi (after
-- catalog_lake.sql), the dead letters as the Kafka topic `taxi.raw_trips.dlq`.
--
-- dml-sync: the SQL client returns when the job has FINISHED (the Kafka source is bounded at
-- the latest offset), so the stage ends on the job's end, not on a sleep. The Iceberg sink
-- commits on checkpoints and once more at the end of input.
SET 'table.dml-sync' = 'true';
SET 'pipeline.name' = 'rtde bronze + silver + dead letters';

CREATE TABLE IF NOT EXISTS bronze_trips (
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
  'format-version' = '2',
  'write.parquet.compression-codec' = 'zstd'
);

-- Silver's columns are the contract's (docs/data-contract.md §3), read by dbt as
-- lake.taxi.silver_trips. No identifier fields: the sink appends what the deduplication
-- emits, which is inserts only (silver.sql says why Flink 2.0 still plans a changelog).
CREATE TABLE IF NOT EXISTS silver_trips (
  trip_id STRING,
  vendor_id INT,
  pickup_datetime TIMESTAMP(6),
  dropoff_datetime TIMESTAMP(6),
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
  'format-version' = '2',
  'write.parquet.compression-codec' = 'zstd'
);

-- At-least-once: exactly-once would write through Kafka transactions, whose commit markers
-- take offsets and would inflate the dead-letter count `rtde topics count` reads. A job that
-- finishes without a failure writes each dead letter once either way.
CREATE TEMPORARY TABLE dead_letters (
  `payload` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'taxi.raw_trips.dlq',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'format' = 'raw',
  'sink.delivery-guarantee' = 'at-least-once'
);
