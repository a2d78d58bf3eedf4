{#- The rows of one Gold list of the generator's oracle JSON (var `oracle_path`), as
    (oracle_key varchar, trips bigint, revenue_cents bigint). Only DuckDB can read a JSON file
    from SQL; on other adapters the harness compares the gold_* models with the oracle, and
    the `oracle` tests must be excluded (`--exclude tag:oracle`): they fail otherwise, loudly,
    rather than pass without comparing anything. -#}
{% macro rtde_oracle_rows(section, key) -%}
    {{ return(adapter.dispatch('rtde_oracle_rows', 'rtde')(section, key)) }}
{%- endmacro %}

{#- The errors below are raised only when a test executes (`execute`): dbt renders every test
    while parsing, and a project must still parse, list and compile without an oracle. -#}
{% macro default__rtde_oracle_rows(section, key) -%}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error(
            "the oracle tests read the oracle JSON with DuckDB's read_json; on " ~ target.type
            ~ " run dbt with --exclude tag:oracle and compare the gold_* models with the oracle"
            ~ " outside dbt") }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__rtde_oracle_rows(section, key) -%}
    {%- set path = var('oracle_path') -%}
    {%- if not path and execute -%}
        {{ exceptions.raise_compiler_error(
            "var oracle_path is not set: pass the generator's oracle JSON with"
            ~ " --vars '{oracle_path: ORACLE.json}', or leave the oracle tests out with"
            ~ " --exclude tag:oracle") }}
    {%- endif -%}
    select
        cast(entry.{{ key }} as varchar) as oracle_key,
        cast(entry.trips as bigint) as trips,
        cast(entry.revenue_cents as bigint) as revenue_cents
    from (
        select unnest(gold.{{ section }}) as entry
        from read_json('{{ path }}', format = 'auto')
    ) as oracle_list
{%- endmacro %}


{#- One top-level number of the oracle (silver_rows, bronze_rows, ...), as a scalar query. -#}
{% macro rtde_oracle_number(field) -%}
    {{ return(adapter.dispatch('rtde_oracle_number', 'rtde')(field)) }}
{%- endmacro %}

{% macro default__rtde_oracle_number(field) -%}
    {{ default__rtde_oracle_rows(field, none) }}
{%- endmacro %}

{% macro duckdb__rtde_oracle_number(field) -%}
    {%- if not var('oracle_path') -%}
        {{ return(duckdb__rtde_oracle_rows(field, none)) }}
    {%- endif -%}
    select cast({{ field }} as bigint) from read_json('{{ var('oracle_path') }}', format = 'auto')
{%- endmacro %}
