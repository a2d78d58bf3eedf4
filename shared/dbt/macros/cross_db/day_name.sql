{#- The English day name of a date or timestamp ("Monday"). Postgres pads to_char's 'Day'
    to nine characters, hence the trim. -#}
{% macro rtde_day_name(expression) -%}
    {{ return(adapter.dispatch('rtde_day_name', 'rtde')(expression)) }}
{%- endmacro %}

{% macro default__rtde_day_name(expression) -%}
    trim(to_char({{ expression }}, 'Day'))
{%- endmacro %}

{% macro duckdb__rtde_day_name(expression) -%}
    dayname({{ expression }})
{%- endmacro %}
