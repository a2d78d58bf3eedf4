-- Comparison query 3, asked of every stack: demand by day of week (0 = Sunday) and hour.

select
    pickup_day_of_week,
    pickup_hour,
    count(*) as trips,
    cast(avg(total_amount) as decimal(12, 2)) as avg_trip_revenue,
    cast(avg(trip_distance) as decimal(12, 2)) as avg_trip_distance
from {{ ref('fct_trips') }}
group by pickup_day_of_week, pickup_hour
