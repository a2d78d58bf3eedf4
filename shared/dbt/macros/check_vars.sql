{#- Run at the start of every dbt invocation (on-run-start): a wrong var should stop the run
    with a message that names it, not surface later as a confusing SQL error. -#}
{% macro rtde_check_vars() %}
    {%- set sources = ['parquet', 'iceberg', 'delta', 'postgres'] -%}
    {%- set chosen = var('silver_source') -%}
    {%- if chosen not in sources -%}
        {{ exceptions.raise_compiler_error(
            "var silver_source is '" ~ chosen ~ "'; it must be one of " ~ sources | join(', ')) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' and chosen != 'postgres' -%}
        {{ exceptions.raise_compiler_error(
            "the " ~ target.type ~ " target reads Silver from inside the engine: set"
            ~ " silver_source to postgres (it is '" ~ chosen ~ "'), or use a DuckDB target") }}
    {%- endif -%}
    {%- set needed = {
        'iceberg': 'silver_iceberg_path or silver_iceberg_table',
        'delta': 'silver_delta_path'} -%}
    {%- if chosen == 'iceberg' and not (var('silver_iceberg_path') or var('silver_iceberg_table')) -%}
        {{ exceptions.raise_compiler_error("silver_source is iceberg: set " ~ needed['iceberg']) }}
    {%- endif -%}
    {%- if chosen == 'delta' and not var('silver_delta_path') -%}
        {{ exceptions.raise_compiler_error("silver_source is delta: set " ~ needed['delta']) }}
    {%- endif -%}
    {%- if var('window_start') >= var('window_end') -%}
        {{ exceptions.raise_compiler_error(
            "window_start (" ~ var('window_start') ~ ") must be before window_end ("
            ~ var('window_end') ~ "): pass the oracle's window") }}
    {%- endif -%}
{% endmacro %}
