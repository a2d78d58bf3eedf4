-- The zone table must hold every TLC zone 1–265 exactly once: Silver keeps any zone in that
-- range, and a missing zone would leave trips without a borough in Gold.
-- Returns the zone ids that are missing.

with expected as (

    {{ rtde_integer_series(1, 265) }}

)

select expected.value as missing_location_id
from expected
left join {{ ref('stg_tlc__zones') }} as zones on expected.value = zones.location_id
where zones.location_id is null
