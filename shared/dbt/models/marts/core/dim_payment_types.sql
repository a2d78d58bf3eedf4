-- One row per payment type code.

select
    payment_type_id,
    payment_type_name,
    -- only card tips are recorded by the meter; cash tips never reach the data
    payment_type_id = 1 as records_tips
from {{ ref('stg_tlc__payment_types') }}
