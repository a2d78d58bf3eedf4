-- One row per Silver trip, with the contract's types made explicit.
--
-- Engines write Silver with their own physical types (Spark writes money as double, RisingWave
-- as numeric, Flink ints as bigint), so staging casts every column once and everything
-- downstream can rely on one set of types. No filtering here: Silver already applied the rules,
-- and the tests on this model check that it did.

with source as (

    select * from {{ source('silver', 'trips') }}

),

renamed as (

    select
        -- ids
        cast(trip_id as varchar) as trip_id,
        cast(vendor_id as integer) as vendor_id,
        cast(rate_code_id as integer) as rate_code_id,
        cast(payment_type as integer) as payment_type,
        cast(pickup_location_id as integer) as pickup_location_id,
        cast(dropoff_location_id as integer) as dropoff_location_id,

        -- timestamps (local New York time, no zone)
        cast(pickup_datetime as timestamp) as pickup_datetime,
        cast(dropoff_datetime as timestamp) as dropoff_datetime,

        -- trip
        cast(passenger_count as integer) as passenger_count,
        cast(trip_distance as float8) as trip_distance,
        cast(store_and_fwd_flag as varchar) as store_and_fwd_flag,

        -- money, in dollars with two decimals
        cast(fare_amount as decimal(10, 2)) as fare_amount,
        cast(extra as decimal(10, 2)) as extra,
        cast(mta_tax as decimal(10, 2)) as mta_tax,
        cast(tip_amount as decimal(10, 2)) as tip_amount,
        cast(tolls_amount as decimal(10, 2)) as tolls_amount,
        cast(improvement_surcharge as decimal(10, 2)) as improvement_surcharge,
        cast(total_amount as decimal(10, 2)) as total_amount,
        cast(congestion_surcharge as decimal(10, 2)) as congestion_surcharge,
        cast(airport_fee as decimal(10, 2)) as airport_fee,
        cast(cbd_congestion_fee as decimal(10, 2)) as cbd_congestion_fee

    from source

)

select * from renamed
