-- P10's ClickHouse table: dbt's fact table (fct_trips, one row per Silver trip, zones joined),
-- exported by the fact_export stage as Parquet and loaded here into a MergeTree table that the
-- four comparison queries and the dashboards read. shared/serving/serve.py runs it (`load`),
-- statement by statement, on the stack's server or on chDB, with :'fact_parquet' the file's
-- path (on the server under its user_files_path, /data: config.d/user_files.xml).
DROP TABLE IF EXISTS fct_trips;

CREATE TABLE fct_trips
(
    trip_id String,
    vendor_id Int32,
    rate_code_id Int32,
    payment_type Int32,
    pickup_location_id Int32,
    dropoff_location_id Int32,
    pickup_borough LowCardinality(String),
    pickup_zone String,
    dropoff_borough LowCardinality(String),
    dropoff_zone String,
    pickup_datetime DateTime64(6, 'UTC'),
    dropoff_datetime DateTime64(6, 'UTC'),
    pickup_date Date,
    pickup_hour UInt8,
    passenger_count Int32,
    trip_distance Float64,
    fare_amount Decimal(10, 2),
    tip_amount Decimal(10, 2),
    total_amount Decimal(10, 2),
    total_amount_cents Int64
)
ENGINE = MergeTree
ORDER BY (pickup_date, pickup_hour, trip_id);

INSERT INTO fct_trips
SELECT
    trip_id, vendor_id, rate_code_id, payment_type, pickup_location_id, dropoff_location_id,
    pickup_borough, pickup_zone, dropoff_borough, dropoff_zone, pickup_datetime,
    dropoff_datetime, pickup_date, pickup_hour, passenger_count, trip_distance, fare_amount,
    tip_amount, total_amount, total_amount_cents
FROM file(:'fact_parquet', 'Parquet');
