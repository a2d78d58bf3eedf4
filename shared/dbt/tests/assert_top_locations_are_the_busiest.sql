-- No zone outside Q2's top ten may have more trips than the tenth: the ranking must really
-- be by trips (the unit test covers the tie-breaks).

with top_ten as (

    select * from {{ ref('cmp_top_pickup_locations') }}

),

per_zone as (

    select pickup_location_id, count(*) as trips
    from {{ ref('fct_trips') }}
    group by pickup_location_id

)

select per_zone.pickup_location_id, per_zone.trips
from per_zone
where
    per_zone.pickup_location_id not in (select pickup_location_id from top_ten)
    and per_zone.trips > (select min(trips) from top_ten)
