-- Gold's payment-type list: trips and revenue per payment type (the oracle's `payment_type`).
SELECT
    payment_type,
    COUNT(*) AS trips,
    SUM(total_amount) AS revenue
FROM taxi_trips
WHERE :silver_rules
GROUP BY payment_type
ORDER BY payment_type
LIMIT 100000
