-- The oracle's `gold.payment_type` list: trips and revenue in cents per payment type code.

select
    payment_type,
    cast(count(*) as bigint) as trips,
    cast(sum(total_amount_cents) as bigint) as revenue_cents
from {{ ref('fct_trips') }}
group by payment_type
