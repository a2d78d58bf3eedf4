-- One row per pickup zone that had trips: volume, revenue, and where its trips go.
--
-- "Most common" picks are made with an explicit tie-break (the smaller id wins) instead of a
-- mode() aggregate, whose choice among ties differs between engines and between runs.

with trips as (

    select * from {{ ref('fct_trips') }}

),

locations as (

    select * from {{ ref('dim_locations') }}

),

per_location as (

    select
        pickup_location_id,
        count(*) as total_pickups,
        sum(total_amount) as total_revenue,
        sum(trip_distance) as trip_distance,
        sum(trip_duration_seconds) as trip_duration_seconds,
        sum(passenger_count) as passengers,
        avg(tip_percentage) as avg_tip_percentage
    from trips
    group by pickup_location_id

),

dropoff_counts as (

    select
        pickup_location_id,
        dropoff_location_id,
        row_number() over (
            partition by pickup_location_id
            order by count(*) desc, dropoff_location_id
        ) as popularity_rank
    from trips
    group by pickup_location_id, dropoff_location_id

),

hour_counts as (

    select
        pickup_location_id,
        pickup_hour,
        row_number() over (
            partition by pickup_location_id
            order by count(*) desc, pickup_hour
        ) as popularity_rank
    from trips
    group by pickup_location_id, pickup_hour

)

select
    per_location.pickup_location_id,
    pickup.borough as pickup_borough,
    pickup.zone_name as pickup_zone,
    cast(per_location.total_pickups as bigint) as total_pickups,
    {{ rtde_decimal("per_location.total_revenue", 18, 2) }} as total_revenue,
    {{ rtde_decimal("per_location.total_revenue / per_location.total_pickups", 12, 2) }}
        as avg_revenue_per_trip,
    {{ rtde_decimal("per_location.trip_distance / per_location.total_pickups", 12, 2) }}
        as avg_trip_distance,
    {{ rtde_decimal(
        "per_location.trip_duration_seconds / 60.0 / per_location.total_pickups", 12, 2) }}
        as avg_trip_duration_minutes,
    {{ rtde_decimal("per_location.passengers * 1.0 / per_location.total_pickups", 12, 2) }}
        as avg_passengers,
    {{ rtde_decimal("per_location.avg_tip_percentage", 12, 2) }} as avg_tip_percentage,
    top_dropoff.dropoff_location_id as most_common_dropoff_location_id,
    dropoff.zone_name as most_common_dropoff_zone,
    peak.pickup_hour as peak_pickup_hour
from per_location
inner join locations as pickup on per_location.pickup_location_id = pickup.location_id
inner join dropoff_counts as top_dropoff
    on per_location.pickup_location_id = top_dropoff.pickup_location_id
    and top_dropoff.popularity_rank = 1
inner join locations as dropoff on top_dropoff.dropoff_location_id = dropoff.location_id
inner join hour_counts as peak
    on per_location.pickup_location_id = peak.pickup_location_id
    and peak.popularity_rank = 1
