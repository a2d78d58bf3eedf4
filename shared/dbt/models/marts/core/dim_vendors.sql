-- One row per technology vendor.

select
    vendor_id,
    vendor_name,
    vendor_abbr
from {{ ref('stg_tlc__vendors') }}
