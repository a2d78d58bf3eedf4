-- One row per pickup date and hour that has trips.

with trips as (

    select * from {{ ref('int_trips_enriched') }}

),

hourly as (

    select
        pickup_date,
        pickup_hour,
        count(*) as trips,
        sum(trip_distance) as trip_distance,
        sum(trip_duration_seconds) as trip_duration_seconds,
        -- decimal(18,2) spelled out: PostgreSQL's sum() of numeric(10,2) loses the scale
        {{ rtde_decimal("sum(total_amount)", 18, 2) }} as revenue,
        sum(total_amount_cents) as revenue_cents
    from trips
    group by pickup_date, pickup_hour

)

select * from hourly
