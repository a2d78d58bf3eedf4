-- The TLC taxi zones (seed written by `rtde generate --seeds`), one row per zone.

with source as (

    select * from {{ ref('taxi_zone_lookup') }}

),

renamed as (

    select
        cast(locationid as integer) as location_id,
        cast(borough as varchar) as borough,
        cast(zone as varchar) as zone_name,
        cast(service_zone as varchar) as service_zone
    from source

)

select * from renamed
