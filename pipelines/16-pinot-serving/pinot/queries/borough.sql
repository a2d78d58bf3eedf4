-- Gold's borough list: trips and revenue per pickup borough (the oracle's `borough`), the
-- borough read from the dimension table taxi_zones.
SELECT
    LOOKUP('taxi_zones', 'Borough', 'LocationID', PULocationID) AS borough,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM taxi_trips
WHERE :silver_rules
GROUP BY LOOKUP('taxi_zones', 'Borough', 'LocationID', PULocationID)
ORDER BY LOOKUP('taxi_zones', 'Borough', 'LocationID', PULocationID)
LIMIT 100000
