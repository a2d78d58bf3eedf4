-- One row per day of the window: trips and revenue, with running and day-over-day figures.
-- Days without trips are kept with zeros, so a gap in the stream shows as a gap here.

with calendar as (

    select * from {{ ref('dim_dates') }}

),

daily as (

    select * from {{ ref('int_trips_aggregated_to_days') }}

),

joined as (

    select
        calendar.date_key,
        calendar.day_of_week_name,
        calendar.is_weekend,
        calendar.is_holiday,
        calendar.iso_week,
        coalesce(daily.trips, 0) as trips,
        coalesce(daily.passengers, 0) as passengers,
        coalesce(daily.revenue, 0) as revenue,
        coalesce(daily.revenue_cents, 0) as revenue_cents,
        coalesce(daily.tip_amount, 0) as tip_amount,
        coalesce(daily.credit_card_trips, 0) as credit_card_trips,
        coalesce(daily.cash_trips, 0) as cash_trips,
        daily.trip_distance,
        daily.trip_duration_seconds
    from calendar
    left join daily on calendar.date_key = daily.pickup_date

)

select
    date_key,
    day_of_week_name,
    is_weekend,
    is_holiday,
    iso_week,
    cast(trips as bigint) as trips,
    cast(passengers as bigint) as passengers,
    {{ rtde_decimal("revenue", 18, 2) }} as revenue,
    cast(revenue_cents as bigint) as revenue_cents,
    {{ rtde_decimal("tip_amount", 18, 2) }} as tip_amount,
    cast(credit_card_trips as bigint) as credit_card_trips,
    cast(cash_trips as bigint) as cash_trips,
    -- casts around the CASE keep decimal(12,2) on PostgreSQL too (see int_trips_enriched)
    {{ rtde_decimal("case when trips > 0 then revenue / trips end", 12, 2) }} as avg_trip_revenue,
    {{ rtde_decimal("case when trips > 0 then trip_distance / trips end", 12, 2) }}
        as avg_trip_distance,
    {{ rtde_decimal("case when trips > 0 then trip_duration_seconds / 60.0 / trips end", 12, 2) }}
        as avg_trip_duration_minutes,
    {{ rtde_decimal("sum(revenue)
        over (order by date_key rows between unbounded preceding and current row)", 18, 2) }}
        as cumulative_revenue,
    {{ rtde_decimal("revenue - lag(revenue) over (order by date_key)", 18, 2) }}
        as revenue_change_vs_prior_day
from joined
