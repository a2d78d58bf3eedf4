-- Demand by hour of day, weekdays and weekends apart: the average day of each kind.
-- Averages divide by the days of that kind in the window, including days without trips in
-- that hour, so a quiet hour is not inflated by counting only the days it had trips.

with calendar as (

    select * from {{ ref('dim_dates') }}

),

hours as (

    {{ rtde_integer_series(0, 23) }}

),

hourly as (

    select * from {{ ref('int_trips_aggregated_to_hours') }}

),

days_per_kind as (

    select is_weekend, count(*) as days_in_window
    from calendar
    group by is_weekend

),

slots as (

    select days_per_kind.is_weekend, days_per_kind.days_in_window, hours.value as pickup_hour
    from days_per_kind
    cross join hours

),

totals as (

    select
        calendar.is_weekend,
        hourly.pickup_hour,
        sum(hourly.trips) as trips,
        sum(hourly.revenue) as revenue,
        sum(hourly.trip_distance) as trip_distance,
        sum(hourly.trip_duration_seconds) as trip_duration_seconds
    from hourly
    inner join calendar on hourly.pickup_date = calendar.date_key
    group by calendar.is_weekend, hourly.pickup_hour

)

select
    slots.pickup_hour,
    slots.is_weekend,
    cast(slots.days_in_window as bigint) as days_in_window,
    cast(coalesce(totals.trips, 0) as bigint) as total_trips,
    {{ rtde_decimal("coalesce(totals.revenue, 0)", 18, 2) }} as total_revenue,
    {{ rtde_decimal("coalesce(totals.trips, 0) * 1.0 / slots.days_in_window", 12, 2) }}
        as avg_trips_per_day,
    {{ rtde_decimal("coalesce(totals.revenue, 0) / slots.days_in_window", 12, 2) }}
        as avg_revenue_per_day,
    -- casts around the CASE keep decimal(12,2) on PostgreSQL too (see int_trips_enriched)
    {{ rtde_decimal("case
        when totals.trips > 0 then totals.trip_distance / totals.trips
    end", 12, 2) }} as avg_trip_distance,
    {{ rtde_decimal("case
        when totals.trips > 0 then totals.trip_duration_seconds / 60.0 / totals.trips
    end", 12, 2) }} as avg_trip_duration_minutes
from slots
left join totals
    on slots.is_weekend = totals.is_weekend and slots.pickup_hour = totals.pickup_hour
