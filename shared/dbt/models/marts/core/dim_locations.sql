-- One row per TLC taxi zone (1–265, including 264 "Unknown" and 265 "Outside of NYC").

with zones as (

    select * from {{ ref('stg_tlc__zones') }}

)

select
    location_id,
    borough,
    zone_name,
    service_zone,
    borough = 'Manhattan' and service_zone = 'Yellow Zone' as is_yellow_zone,
    service_zone in ('Airports', 'EWR') as is_airport
from zones
