-- Gold's daily list: trips and revenue per pickup date (the oracle's `daily`).
SELECT
    TIME_FORMAT(pickup, 'yyyy-MM-dd') AS pickup_date,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM (:silver_trips)
GROUP BY TIME_FORMAT(pickup, 'yyyy-MM-dd')
ORDER BY TIME_FORMAT(pickup, 'yyyy-MM-dd')
