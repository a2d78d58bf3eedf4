{#- A one-column relation `value` of the integers first..last (both included). The default
    serves PostgreSQL and RisingWave alike: RisingWave's generate_series takes integers and
    (timestamp, timestamp, interval), and its binder applies a column alias list to a table
    function's output as PostgreSQL does. -#}
{% macro rtde_integer_series(first, last) -%}
    {{ return(adapter.dispatch('rtde_integer_series', 'rtde')(first, last)) }}
{%- endmacro %}

{% macro default__rtde_integer_series(first, last) -%}
    select cast(value as integer) as value
    from generate_series({{ first }}, {{ last }}) as series (value)
{%- endmacro %}

{% macro duckdb__rtde_integer_series(first, last) -%}
    select cast(range as integer) as value
    from range({{ first }}, {{ last }} + 1)
{%- endmacro %}


{#- A one-column relation `date_day` of the days from start_ts (included) to end_ts
    (excluded), the same half-open interval the Silver window uses. -#}
{% macro rtde_date_spine(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('rtde_date_spine', 'rtde')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__rtde_date_spine(start_ts, end_ts) -%}
    select cast(day as date) as date_day
    from generate_series(
        cast({{ start_ts }} as timestamp),
        cast({{ end_ts }} as timestamp) - interval '1 microsecond',
        interval '1 day'
    ) as days (day)
{%- endmacro %}

{% macro duckdb__rtde_date_spine(start_ts, end_ts) -%}
    select cast(range as date) as date_day
    from range(cast({{ start_ts }} as timestamp), cast({{ end_ts }} as timestamp), interval 1 day)
{%- endmacro %}
