-- Every rule of docs/data-contract.md §3, checked on the Silver an engine produced. Returns
-- each offending trip with the first rule it breaks; an engine whose Silver lets a dirty
-- record through fails here, even when the totals happen to agree.

with trips as (

    select * from {{ ref('stg_silver__trips') }}

),

checked as (

    select
        trip_id,
        case
            when pickup_datetime is null or dropoff_datetime is null then 'timestamp missing'
            when dropoff_datetime <= pickup_datetime then 'dropoff not after pickup'
            when fare_amount <= 0 then 'fare not positive'
            when trip_distance < 0 then 'negative distance'
            when passenger_count is null then 'passenger_count null'
            when pickup_location_id not between 1 and 265
                or dropoff_location_id not between 1 and 265 then 'unknown location'
            when pickup_datetime < cast('{{ var("window_start") }}' as timestamp)
                or pickup_datetime >= cast('{{ var("window_end") }}' as timestamp)
                then 'pickup outside the window'
        end as broken_rule
    from trips

)

select trip_id, broken_rule
from checked
where broken_rule is not null
