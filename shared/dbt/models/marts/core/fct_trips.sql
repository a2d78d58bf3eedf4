-- One row per Silver trip, with the zone names and boroughs of both ends.
--
-- Every Silver row is kept (the zone ids are 1–265 by Silver's rules, so the joins always
-- match; a left join still keeps a trip should a zone table ever lack one, and the
-- relationships tests would then fail loudly).

with trips as (

    select * from {{ ref('int_trips_enriched') }}

),

locations as (

    select * from {{ ref('dim_locations') }}

)

select
    trips.trip_id,
    trips.vendor_id,
    trips.rate_code_id,
    trips.payment_type,
    trips.pickup_location_id,
    trips.dropoff_location_id,
    pickup.borough as pickup_borough,
    pickup.zone_name as pickup_zone,
    dropoff.borough as dropoff_borough,
    dropoff.zone_name as dropoff_zone,
    trips.pickup_datetime,
    trips.dropoff_datetime,
    trips.pickup_date,
    trips.pickup_hour,
    trips.pickup_day_of_week,
    trips.is_weekend,
    trips.passenger_count,
    trips.trip_distance,
    trips.store_and_fwd_flag,
    trips.trip_duration_seconds,
    trips.trip_duration_minutes,
    trips.avg_speed_mph,
    trips.tip_percentage,
    trips.cost_per_mile,
    trips.fare_amount,
    trips.extra,
    trips.mta_tax,
    trips.tip_amount,
    trips.tolls_amount,
    trips.improvement_surcharge,
    trips.congestion_surcharge,
    trips.airport_fee,
    trips.cbd_congestion_fee,
    trips.total_amount,
    trips.total_amount_cents
from trips
left join locations as pickup on trips.pickup_location_id = pickup.location_id
left join locations as dropoff on trips.dropoff_location_id = dropoff.location_id
