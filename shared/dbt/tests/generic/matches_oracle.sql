{#- Fails for every key where a Gold model and the generator's oracle disagree on trips or
    revenue_cents, by even one unit, and for every key only one of them has. The oracle lists
    only keys with trips, and so must Gold. -#}
{% test matches_oracle(model, column_name, section, oracle_key) %}

with oracle as (
    {{ rtde_oracle_rows(section, oracle_key) }}
),

gold as (
    select
        cast({{ column_name }} as varchar) as gold_key,
        trips,
        revenue_cents
    from {{ model }}
)

select
    coalesce(oracle.oracle_key, gold.gold_key) as key_value,
    oracle.trips as oracle_trips,
    gold.trips as gold_trips,
    oracle.revenue_cents as oracle_revenue_cents,
    gold.revenue_cents as gold_revenue_cents
from oracle
full outer join gold on oracle.oracle_key = gold.gold_key
where
    oracle.oracle_key is null
    or gold.gold_key is null
    or oracle.trips <> gold.trips
    or oracle.revenue_cents <> gold.revenue_cents

{% endtest %}
