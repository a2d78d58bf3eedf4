-- P12's source: Debezium's change events of the generator's PostgreSQL table, read from the
-- topic `dbserver1.public.taxi_trips` with Flink's `debezium-json` format (Kafka Connect's
-- JSON without schemas: `{"before", "after", "source", "op", ...}`), from the earliest
-- offset up to ${scan_bounded} (shared/flink/bin/job-sql.sh), so the job finishes.
--
-- The columns are the table's, typed as Debezium writes them (shared/cdc/capture.py):
-- timestamps as epoch microseconds, numeric(10,2) as its decimal text (never a double);
-- bronze_records_cdc.sql turns them back into the event's fields. The format turns each
-- change into a changelog row (`c` an insert); no message on this topic can be malformed
-- (docs/data-contract.md §2, "On the CDC path"), so a parse error fails the job.
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
  'connector' = 'kafka',
  'topic' = 'dbserver1.public.taxi_trips',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = 'rtde-flink-cdc',
  'scan.startup.mode' = 'earliest-offset',
  ${scan_bounded},
  'format' = 'debezium-json'
);
