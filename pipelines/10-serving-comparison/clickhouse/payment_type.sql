-- Gold's payment-type list: trips and revenue per payment type code (the oracle's
-- `payment_type`).
SELECT
    payment_type,
    count() AS trips,
    sum(total_amount_cents) / 100 AS revenue
FROM fct_trips
GROUP BY payment_type
ORDER BY payment_type
