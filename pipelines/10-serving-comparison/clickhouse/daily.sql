-- Gold's daily list: trips and revenue per pickup date (the oracle's `daily`), from the fact
-- table dbt built; revenue in dollars, from the integer cents dbt computed.
SELECT
    toString(pickup_date) AS day,
    count() AS trips,
    sum(total_amount_cents) / 100 AS revenue
FROM fct_trips
GROUP BY pickup_date
ORDER BY pickup_date
