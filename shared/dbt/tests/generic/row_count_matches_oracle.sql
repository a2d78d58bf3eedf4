{#- Fails when the model's row count differs from one of the oracle's counts (silver_rows). -#}
{% test row_count_matches_oracle(model, field) %}

with counted as (
    select count(*) as model_rows from {{ model }}
),

expected as (
    {{ rtde_oracle_number(field) }}
)

select counted.model_rows, (select * from expected) as oracle_rows
from counted
where counted.model_rows <> (select * from expected)

{% endtest %}
