-- Bronze: every JSON object the source delivered, appended as it came.
INSERT INTO bronze_trips
SELECT
  trip_id, VendorID, tpep_pickup_datetime, tpep_dropoff_datetime, passenger_count,
  trip_distance, RatecodeID, store_and_fwd_flag, PULocationID, DOLocationID, payment_type,
  fare_amount, extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount,
  congestion_surcharge, Airport_fee, cbd_congestion_fee
FROM bronze_records;
