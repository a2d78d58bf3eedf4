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
        {{ rtde_decimal("fare_amount", 10, 2) }} as fare_amount,
        {{ rtde_decimal("extra", 10, 2) }} as extra,
        {{ rtde_decimal("mta_tax", 10, 2) }} as mta_tax,
        {{ rtde_decimal("tip_amount", 10, 2) }} as tip_amount,
        {{ rtde_decimal("tolls_amount", 10, 2) }} as tolls_amount,
        {{ rtde_decimal("improvement_surcharge", 10, 2) }} as improvement_surcharge,
        {{ rtde_decimal("total_amount", 10, 2) }} as total_amount,
        {{ rtde_decimal("congestion_surcharge", 10, 2) }} as congestion_surcharge,
        {{ rtde_decimal("airport_fee", 10, 2) }} as airport_fee,
        {{ rtde_decimal("cbd_congestion_fee", 10, 2) }} as cbd_congestion_fee

    from source

)

select * from renamed
