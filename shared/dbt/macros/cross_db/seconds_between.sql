{#- Whole seconds from one timestamp to a later one. DuckDB's date_diff counts boundaries
    crossed, which for second-resolution timestamps is the exact difference; Postgres has no
    date_diff and subtracts to an interval instead, as does RisingWave (whose extract takes
    epoch from an interval too). -#}
{% macro rtde_seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('rtde_seconds_between', 'rtde')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__rtde_seconds_between(start_ts, end_ts) -%}
    cast(extract(epoch from ({{ end_ts }} - {{ start_ts }})) as bigint)
{%- endmacro %}

{% macro duckdb__rtde_seconds_between(start_ts, end_ts) -%}
    date_diff('second', {{ start_ts }}, {{ end_ts }})
{%- endmacro %}
