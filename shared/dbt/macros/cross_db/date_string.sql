{#- A date as the oracle writes it: 'YYYY-MM-DD'. -#}
{% macro rtde_date_string(expression) -%}
    {{ return(adapter.dispatch('rtde_date_string', 'rtde')(expression)) }}
{%- endmacro %}

{% macro default__rtde_date_string(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__rtde_date_string(expression) -%}
    strftime({{ expression }}, '%Y-%m-%d')
{%- endmacro %}

{#- RisingWave's to_char takes a timestamp (or timestamptz, or interval), not a date: the
    explicit cast leaves it no overload to choose between. -#}
{% macro risingwave__rtde_date_string(expression) -%}
    to_char(cast({{ expression }} as timestamp), 'YYYY-MM-DD')
{%- endmacro %}
