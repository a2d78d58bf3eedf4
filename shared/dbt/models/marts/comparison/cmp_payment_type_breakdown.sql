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
    {{ rtde_decimal("per_type.revenue", 18, 2) }} as revenue,
    {{ rtde_decimal("per_type.avg_fare", 12, 2) }} as avg_fare,
    {{ rtde_decimal("per_type.avg_tip", 12, 2) }} as avg_tip,
    {{ rtde_decimal("per_type.avg_tip_percentage", 12, 2) }} as avg_tip_percentage,
    {{ rtde_decimal("per_type.trips * 100.0 / sum(per_type.trips) over ()", 7, 3) }}
        as share_of_trips_percent
from per_type
left join {{ ref('dim_payment_types') }} as payment_types
    on per_type.payment_type = payment_types.payment_type_id
