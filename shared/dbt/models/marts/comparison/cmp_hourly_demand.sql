-- Comparison query 3, asked of every stack: demand by day of week (0 = Sunday) and hour.

select
    pickup_day_of_week,
    pickup_hour,
    count(*) as trips,
    {{ rtde_decimal("avg(total_amount)", 12, 2) }} as avg_trip_revenue,
    {{ rtde_decimal("avg(trip_distance)", 12, 2) }} as avg_trip_distance
from {{ ref('fct_trips') }}
group by pickup_day_of_week, pickup_hour
