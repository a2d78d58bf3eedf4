-- The oracle's `gold.daily` list: trips and revenue in cents per pickup day ('YYYY-MM-DD').
-- Days without trips are left out, as the oracle leaves them out.

select
    {{ rtde_date_string('pickup_date') }} as pickup_date,
    cast(count(*) as bigint) as trips,
    cast(sum(total_amount_cents) as bigint) as revenue_cents
from {{ ref('fct_trips') }}
group by pickup_date
