-- Payment type codes (seed written by `rtde generate --seeds`).

with source as (

    select * from {{ ref('payment_type_lookup') }}

),

renamed as (

    select
        cast(payment_type_id as integer) as payment_type_id,
        cast(payment_type_name as varchar) as payment_type_name
    from source

)

select * from renamed
