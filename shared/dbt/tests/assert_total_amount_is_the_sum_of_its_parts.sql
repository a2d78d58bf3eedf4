-- For a clean record, total_amount is exactly the sum of the other nine money fields
-- (docs/data-contract.md §1). A Silver that rounds money through floating point, or drops a
-- surcharge column, breaks this before it breaks the revenue totals.

select
    trip_id,
    total_amount,
    fare_amount + extra + mta_tax + tip_amount + tolls_amount + improvement_surcharge
    + congestion_surcharge + airport_fee + cbd_congestion_fee as sum_of_parts
from {{ ref('stg_silver__trips') }}
where
    total_amount
    <> fare_amount + extra + mta_tax + tip_amount + tolls_amount + improvement_surcharge
    + congestion_surcharge + airport_fee + cbd_congestion_fee
