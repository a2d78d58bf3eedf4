-- One row per pickup date that has trips: the daily totals the daily marts build on.

with trips as (

    select * from {{ ref('int_trips_enriched') }}

),

daily as (

    select
        pickup_date,
        count(*) as trips,
        sum(passenger_count) as passengers,
        sum(trip_distance) as trip_distance,
        sum(trip_duration_seconds) as trip_duration_seconds,
        {{ rtde_decimal("sum(fare_amount)", 18, 2) }} as fare_amount,
        {{ rtde_decimal("sum(tip_amount)", 18, 2) }} as tip_amount,
        -- decimal(18,2) spelled out: PostgreSQL's sum() of numeric(10,2) loses the scale
        {{ rtde_decimal("sum(total_amount)", 18, 2) }} as revenue,
        sum(total_amount_cents) as revenue_cents,
        sum(case when payment_type = 1 then 1 else 0 end) as credit_card_trips,
        sum(case when payment_type = 2 then 1 else 0 end) as cash_trips
    from trips
    group by pickup_date

)

select * from daily
