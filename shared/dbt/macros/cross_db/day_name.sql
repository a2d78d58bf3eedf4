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

{#- RisingWave's to_char knows no day-name pattern ('Day' comes back literally), so the name
    is spelled from the day of the week (0 = Sunday, as extract(dow) gives on every adapter). -#}
{% macro risingwave__rtde_day_name(expression) -%}
    case cast(extract(dow from {{ expression }}) as integer)
        when 0 then 'Sunday'
        when 1 then 'Monday'
        when 2 then 'Tuesday'
        when 3 then 'Wednesday'
        when 4 then 'Thursday'
        when 5 then 'Friday'
        when 6 then 'Saturday'
    end
{%- endmacro %}
