-- Reference Bronze from the generator's Parquet sink (DuckDB SQL).
--
-- Bronze is every event as received: no filtering, no deduplication (docs/data-contract.md §2).
-- The Parquet sink can only hold events that parsed, so there are no dead letters here; the
-- table still exists (empty) so that both Bronze loaders leave the same two relations behind.
--
-- Parameters (DuckDB variables, set with `SET VARIABLE name = value` before this file runs):
--   bronze_path  a Parquet file or glob written by `rtde generate --sink parquet:PATH`

create or replace table bronze as
select
    trip_id,
    "VendorID",
    tpep_pickup_datetime,
    tpep_dropoff_datetime,
    passenger_count,
    trip_distance,
    "RatecodeID",
    store_and_fwd_flag,
    "PULocationID",
    "DOLocationID",
    payment_type,
    fare_amount,
    extra,
    mta_tax,
    tip_amount,
    tolls_amount,
    improvement_surcharge,
    total_amount,
    congestion_surcharge,
    "Airport_fee",
    cbd_congestion_fee
from read_parquet(getvariable('bronze_path'));

create or replace table dead_letters (line_number bigint, message varchar);
