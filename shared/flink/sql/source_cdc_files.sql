-- The local stand-in for source_cdc_kafka.sql: the same table, read from a JSON-lines file
-- of the change events Debezium's engine captured (shared/cdc/capture.py --sink jsonl:PATH),
-- so the CDC transforms run unchanged without a broker. Bounded: the job finishes.
CREATE TEMPORARY TABLE cdc_trips (
  trip_id STRING,
  VendorID INT,
  tpep_pickup_datetime BIGINT,
  tpep_dropoff_datetime BIGINT,
  passenger_count BIGINT,
  trip_distance STRING,
  RatecodeID BIGINT,
  store_and_fwd_flag STRING,
  PULocationID INT,
  DOLocationID INT,
  payment_type BIGINT,
  fare_amount STRING,
  extra STRING,
  mta_tax STRING,
  tip_amount STRING,
  tolls_amount STRING,
  improvement_surcharge STRING,
  total_amount STRING,
  congestion_surcharge STRING,
  Airport_fee STRING,
  cbd_congestion_fee STRING,
  `proc_time` AS PROCTIME()
) WITH (
  'connector' = 'filesystem',
  'path' = '${input_path}',
  'format' = 'debezium-json'
);
