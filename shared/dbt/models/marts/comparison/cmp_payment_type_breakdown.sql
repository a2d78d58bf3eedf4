-- Comparison query 4, asked of every stack: trips, revenue and tipping per payment type.

with per_type as (

    select
        payment_type,
        count(*) as trips,
        sum(total_amount) as revenue,
        avg(fare_amount) as avg_fare,
        avg(tip_amount) as avg_tip,
        -- tip share over trips with a positive fare only: a zero fare has no share
        avg(case when fare_amount > 0 then tip_amount * 100.0 / fare_amount end)
            as avg_tip_percentage
    from {{ ref('fct_trips') }}
    group by payment_type

)

select
    per_type.payment_type,
    payment_types.payment_type_name,
    per_type.trips,
    cast(per_type.revenue as decimal(18, 2)) as revenue,
    cast(per_type.avg_fare as decimal(12, 2)) as avg_fare,
    cast(per_type.avg_tip as decimal(12, 2)) as avg_tip,
    cast(per_type.avg_tip_percentage as decimal(12, 2)) as avg_tip_percentage,
    cast(per_type.trips * 100.0 / sum(per_type.trips) over () as decimal(7, 3))
        as share_of_trips_percent
from per_type
left join {{ ref('dim_payment_types') }} as payment_types
    on per_type.payment_type = payment_types.payment_type_id
