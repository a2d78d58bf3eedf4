-- Every Silver trip with the measures the marts share: duration, speed, tip share, cost per
-- mile, its calendar slot and its revenue in cents.
--
-- No trip is dropped here: Gold aggregates all Silver rows (docs/data-contract.md §4). The
-- derived ratios are null where their denominator is not positive, rather than a default that
-- would bias every average built on them.

with trips as (

    select * from {{ ref('stg_silver__trips') }}

),

measured as (

    select
        *,
        {{ rtde_seconds_between('pickup_datetime', 'dropoff_datetime') }} as trip_duration_seconds
    from trips

),

enriched as (

    select
        trip_id,
        vendor_id,
        rate_code_id,
        payment_type,
        pickup_location_id,
        dropoff_location_id,
        pickup_datetime,
        dropoff_datetime,
        passenger_count,
        trip_distance,
        store_and_fwd_flag,
        fare_amount,
        extra,
        mta_tax,
        tip_amount,
        tolls_amount,
        improvement_surcharge,
        total_amount,
        congestion_surcharge,
        airport_fee,
        cbd_congestion_fee,

        -- calendar slot of the pickup
        cast(pickup_datetime as date) as pickup_date,
        cast(extract(hour from pickup_datetime) as integer) as pickup_hour,
        -- 0 = Sunday … 6 = Saturday on every adapter
        cast(extract(dow from pickup_datetime) as integer) as pickup_day_of_week,
        cast(extract(dow from pickup_datetime) as integer) in (0, 6) as is_weekend,

        -- measures
        trip_duration_seconds,
        {{ rtde_decimal("trip_duration_seconds / 60.0", 12, 2) }} as trip_duration_minutes,
        -- The casts wrap the CASE, not its branch: PostgreSQL drops a branch's numeric
        -- precision from a CASE's type, and the contract promises decimal(12,2).
        {{ rtde_decimal("case
            when trip_duration_seconds > 0 then trip_distance * 3600.0 / trip_duration_seconds
        end", 12, 2) }} as avg_speed_mph,
        {{ rtde_decimal("case
            when fare_amount > 0 then tip_amount * 100.0 / fare_amount
        end", 12, 2) }} as tip_percentage,
        {{ rtde_decimal("case
            when trip_distance > 0 then fare_amount / trip_distance
        end", 12, 2) }} as cost_per_mile,
        -- exact: total_amount has two decimals
        cast(total_amount * 100 as bigint) as total_amount_cents

    from measured

)

select * from enriched
