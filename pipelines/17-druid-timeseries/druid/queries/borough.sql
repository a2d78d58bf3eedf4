-- Gold's borough list: trips and revenue per pickup borough (the oracle's `borough`), the
-- borough read from the lookup taxi_zone_borough (druid/setup.py).
SELECT
    LOOKUP(CAST(pickup_location_id AS VARCHAR), 'taxi_zone_borough') AS borough,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM (:silver_trips)
GROUP BY LOOKUP(CAST(pickup_location_id AS VARCHAR), 'taxi_zone_borough')
ORDER BY LOOKUP(CAST(pickup_location_id AS VARCHAR), 'taxi_zone_borough')
