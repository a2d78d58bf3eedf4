-- The oracle's `gold.borough` list: trips and revenue in cents per pickup borough, the
-- borough being the zone table's (so zone 264 counts as "Unknown" and 265 as "N/A").

select
    pickup_borough,
    cast(count(*) as bigint) as trips,
    cast(sum(total_amount_cents) as bigint) as revenue_cents
from {{ ref('fct_trips') }}
group by pickup_borough
