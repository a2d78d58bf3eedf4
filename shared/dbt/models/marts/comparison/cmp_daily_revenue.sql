-- Comparison query 1, asked of every stack: trips and revenue per pickup day.

select
    pickup_date,
    count(*) as trips,
    {{ rtde_decimal("sum(total_amount)", 18, 2) }} as revenue,
    {{ rtde_decimal("avg(total_amount)", 12, 2) }} as avg_trip_revenue
from {{ ref('fct_trips') }}
group by pickup_date
