-- Gold's borough list: trips and revenue per pickup borough (the oracle's `borough`), the
-- borough dbt joined from the zone table.
SELECT
    pickup_borough AS borough,
    count() AS trips,
    sum(total_amount_cents) / 100 AS revenue
FROM fct_trips
GROUP BY pickup_borough
ORDER BY pickup_borough
