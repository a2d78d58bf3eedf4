{#- Fails when an aggregate over this model differs from an aggregate over another, e.g. the
    trips of a Gold list against the rows of fct_trips. Both sides are compared exactly, so
    use integer or decimal expressions. -#}
{% test totals_match(model, expression, compare_model, compare_expression) %}

with this_side as (
    select {{ expression }} as total from {{ model }}
),

other_side as (
    select {{ compare_expression }} as total from {{ compare_model }}
)

select this_side.total as this_total, other_side.total as other_total
from this_side
cross join other_side
where this_side.total is distinct from other_side.total

{% endtest %}
