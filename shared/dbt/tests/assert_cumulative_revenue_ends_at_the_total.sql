-- The running revenue of mart_daily_revenue must end at the total revenue of all trips:
-- a window frame that restarts or skips days would not.

with last_day as (

    select cumulative_revenue
    from {{ ref('mart_daily_revenue') }}
    order by date_key desc
    limit 1

),

total as (

    select coalesce(sum(total_amount), 0) as revenue from {{ ref('fct_trips') }}

)

select last_day.cumulative_revenue, total.revenue
from last_day
cross join total
where last_day.cumulative_revenue <> total.revenue
