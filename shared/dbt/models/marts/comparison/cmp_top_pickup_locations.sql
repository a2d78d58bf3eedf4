-- Comparison query 2, asked of every stack: the ten busiest pickup zones.
-- Ties in trips are broken by revenue, then by zone id, so every engine returns the same ten.

with ranked as (

    select
        pickup_location_id,
        pickup_borough,
        pickup_zone,
        count(*) as trips,
        sum(total_amount) as revenue,
        avg(total_amount) as avg_trip_revenue,
        avg(trip_distance) as avg_trip_distance,
        row_number() over (
            order by count(*) desc, sum(total_amount) desc, pickup_location_id
        ) as trips_rank
    from {{ ref('fct_trips') }}
    group by pickup_location_id, pickup_borough, pickup_zone

)

select
    cast(trips_rank as integer) as trips_rank,
    pickup_location_id,
    pickup_borough,
    pickup_zone,
    trips,
    {{ rtde_decimal("revenue", 18, 2) }} as revenue,
    {{ rtde_decimal("avg_trip_revenue", 12, 2) }} as avg_trip_revenue,
    {{ rtde_decimal("avg_trip_distance", 12, 2) }} as avg_trip_distance
from ranked
where trips_rank <= 10
