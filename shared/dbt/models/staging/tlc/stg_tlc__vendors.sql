-- Technology vendors (seed written by `rtde generate --seeds`).

with source as (

    select * from {{ ref('vendor_lookup') }}

),

renamed as (

    select
        cast(vendor_id as integer) as vendor_id,
        cast(vendor_name as varchar) as vendor_name,
        cast(vendor_abbr as varchar) as vendor_abbr
    from source

)

select * from renamed
