-- The oracle's `gold.hourly` list: trips and revenue in cents per pickup hour (0–23).

select
    pickup_hour,
    cast(count(*) as bigint) as trips,
    cast(sum(total_amount_cents) as bigint) as revenue_cents
from {{ ref('fct_trips') }}
group by pickup_hour
