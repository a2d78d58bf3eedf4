-- One row per rate code.

select
    rate_code_id,
    rate_code_name,
    rate_code_id in (2, 3) as is_airport_flat_rate
from {{ ref('stg_tlc__rate_codes') }}
