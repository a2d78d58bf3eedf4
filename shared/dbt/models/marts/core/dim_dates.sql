-- One row per day of the generation window [window_start, window_end), trips or not.
--
-- The window comes from the vars rtde fills from the oracle, so the calendar follows the
-- generation (another --start or --days moves it) instead of a hard-coded month.

with days as (

    {{ rtde_date_spine("'" ~ var('window_start') ~ "'", "'" ~ var('window_end') ~ "'") }}

),

parts as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(dow from date_day) as integer) as day_of_week_num
    from days

),

calendar as (

    select
        date_day as date_key,
        year_number,
        month_number,
        day_of_month,
        day_of_week_num,
        {{ rtde_day_name('date_day') }} as day_of_week_name,
        cast(extract(week from date_day) as integer) as iso_week,
        day_of_week_num in (0, 6) as is_weekend,
        -- US federal holidays on their actual dates (not the observed weekday). A holiday that
        -- falls on the n-th weekday of a month is that weekday in days 7n-6 … 7n.
        case
            when month_number = 1 and day_of_month = 1 then 'New Year''s Day'
            when month_number = 1 and day_of_week_num = 1 and day_of_month between 15 and 21
                then 'Martin Luther King Jr. Day'
            when month_number = 2 and day_of_week_num = 1 and day_of_month between 15 and 21
                then 'Washington''s Birthday'
            when month_number = 5 and day_of_week_num = 1 and day_of_month >= 25
                then 'Memorial Day'
            when month_number = 6 and day_of_month = 19 then 'Juneteenth'
            when month_number = 7 and day_of_month = 4 then 'Independence Day'
            when month_number = 9 and day_of_week_num = 1 and day_of_month <= 7 then 'Labor Day'
            when month_number = 10 and day_of_week_num = 1 and day_of_month between 8 and 14
                then 'Columbus Day'
            when month_number = 11 and day_of_month = 11 then 'Veterans Day'
            when month_number = 11 and day_of_week_num = 4 and day_of_month between 22 and 28
                then 'Thanksgiving Day'
            when month_number = 12 and day_of_month = 25 then 'Christmas Day'
        end as holiday_name
    from parts

)

select
    date_key,
    year_number,
    month_number,
    day_of_month,
    day_of_week_num,
    day_of_week_name,
    iso_week,
    is_weekend,
    holiday_name is not null as is_holiday,
    cast(holiday_name as varchar) as holiday_name
from calendar
