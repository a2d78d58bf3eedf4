-- Gold's hourly list: trips and revenue per pickup hour, 0-23 (the oracle's `hourly`).
SELECT
    TIME_EXTRACT(pickup, 'HOUR') AS pickup_hour,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM (:silver_trips)
GROUP BY TIME_EXTRACT(pickup, 'HOUR')
ORDER BY TIME_EXTRACT(pickup, 'HOUR')
