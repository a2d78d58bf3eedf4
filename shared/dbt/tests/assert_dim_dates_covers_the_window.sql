-- dim_dates has one row per day of [window_start, window_end), no more, no fewer, and the
-- first and last days are the window's.

with bounds as (

    select
        count(*) as days,
        min(date_key) as first_day,
        max(date_key) as last_day
    from {{ ref('dim_dates') }}

)

select *
from bounds
where
    first_day <> cast(cast('{{ var("window_start") }}' as timestamp) as date)
    or last_day <> cast(cast('{{ var("window_end") }}' as timestamp) - interval '1 second' as date)
    or days <> last_day - first_day + 1
