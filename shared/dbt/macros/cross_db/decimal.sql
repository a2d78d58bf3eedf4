{#- A number with `scale` decimals, rounded half away from zero: money (scale 2) and shares
    (scale 3). DuckDB and PostgreSQL cast to decimal(precision, scale), which is also the
    type the contracts declare. RisingWave's numeric takes no precision or scale (its binder
    rejects `decimal(p, s)`), so there the value is rounded instead; its round(numeric, int)
    breaks ties away from zero too, so the digits are the same. -#}
{% macro rtde_decimal(expression, precision, scale) -%}
    {{ return(adapter.dispatch('rtde_decimal', 'rtde')(expression, precision, scale)) }}
{%- endmacro %}

{% macro default__rtde_decimal(expression, precision, scale) -%}
    cast({{ expression }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro risingwave__rtde_decimal(expression, precision, scale) -%}
    round(cast({{ expression }} as numeric), {{ scale }})
{%- endmacro %}


{#- dbt's own cast, as RisingWave needs it. dbt casts to the types a model's YAML declares:
    the contract check selects `cast(null as <data_type>)` for every column, and unit-test
    fixtures cast their values the same way. The contracts declare decimal(p, s), the type
    DuckDB and PostgreSQL build; on RisingWave that becomes rtde_decimal's numeric, so the
    declared and the built column types still agree. Other types pass through unchanged. -#}
{% macro risingwave__cast(field, type) -%}
    {%- set numeric = modules.re.fullmatch(
        '\\s*(?:decimal|numeric)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)\\s*', type | string,
        modules.re.IGNORECASE) -%}
    {%- if numeric -%}
        {{ risingwave__rtde_decimal(field, numeric.group(1), numeric.group(2) or 0) }}
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro risingwave__safe_cast(field, type) -%}
    {{ risingwave__cast(field, type) }}
{%- endmacro %}
