-- Gold's daily list: trips and revenue per pickup date (the oracle's `daily`).
SELECT
    SUBSTR(tpep_pickup_datetime, 0, 10) AS pickup_date,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM taxi_trips
WHERE :silver_rules
GROUP BY SUBSTR(tpep_pickup_datetime, 0, 10)
ORDER BY SUBSTR(tpep_pickup_datetime, 0, 10)
LIMIT 100000
