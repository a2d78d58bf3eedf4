-- The stack's sinks with `storage=iceberg`: Bronze and Silver as Iceberg tables in lake.taxi
-- (after catalog_lake.sql). The Iceberg sink commits on checkpoints and once more at the end
-- of input. The dead letters go to Kafka (dead_letters_kafka.sql).

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
