-- The canonical Silver rules (docs/data-contract.md §3) in Pinot's SQL, put into each query in
-- place of `:silver_rules` by shared/serving/serve.py. Deduplication on trip_id is the table's
-- (dedupConfig: Pinot keeps the first row per primary key), so a re-sent copy is never here.
-- Timestamps are compared as the strings that were sent: in the contract's fixed format
-- `YYYY-MM-DDTHH:MM:SS` string order is time order. Pinot's single-stage engine compares a
-- column with a literal, not with another column, hence strcmp for the drop-off rule.
strcmp(tpep_dropoff_datetime, tpep_pickup_datetime) > 0
AND fare_amount > 0
AND trip_distance >= 0
AND passenger_count IS NOT NULL
AND PULocationID BETWEEN 1 AND 265
AND DOLocationID BETWEEN 1 AND 265
AND tpep_pickup_datetime >= :'window_start'
AND tpep_pickup_datetime < :'window_end'
