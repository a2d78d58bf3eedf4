-- Rate codes (seed written by `rtde generate --seeds`).

with source as (

    select * from {{ ref('rate_code_lookup') }}

),

renamed as (

    select
        cast(rate_code_id as integer) as rate_code_id,
        cast(rate_code_name as varchar) as rate_code_name
    from source

)

select * from renamed
