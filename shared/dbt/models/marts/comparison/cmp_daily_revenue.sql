-- Comparison query 1, asked of every stack: trips and revenue per pickup day.

select
    pickup_date,
    count(*) as trips,
    cast(sum(total_amount) as decimal(18, 2)) as revenue,
    cast(avg(total_amount) as decimal(12, 2)) as avg_trip_revenue
from {{ ref('fct_trips') }}
group by pickup_date
