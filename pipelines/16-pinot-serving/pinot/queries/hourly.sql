-- Gold's hourly list: trips and revenue per pickup hour, 0-23 (the oracle's `hourly`).
SELECT
    CAST(SUBSTR(tpep_pickup_datetime, 11, 13) AS INT) AS pickup_hour,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM taxi_trips
WHERE :silver_rules
GROUP BY CAST(SUBSTR(tpep_pickup_datetime, 11, 13) AS INT)
ORDER BY CAST(SUBSTR(tpep_pickup_datetime, 11, 13) AS INT)
LIMIT 100000
