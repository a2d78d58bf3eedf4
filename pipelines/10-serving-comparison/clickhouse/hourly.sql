-- Gold's hourly list: trips and revenue per pickup hour, 0-23 (the oracle's `hourly`).
SELECT
    pickup_hour AS hour,
    count() AS trips,
    sum(total_amount_cents) / 100 AS revenue
FROM fct_trips
GROUP BY pickup_hour
ORDER BY pickup_hour
