-- The shares of Q4 must add up to 100 % (within the rounding of three decimals per type).

select sum(share_of_trips_percent) as total_share
from {{ ref('cmp_payment_type_breakdown') }}
having abs(sum(share_of_trips_percent) - 100) > 0.01
