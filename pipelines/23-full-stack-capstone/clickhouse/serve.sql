-- P23's serving step in ClickHouse SQL, on two tables of one JSON document each: `gold_doc`
-- (the Gold lists dbt built, export_gold.py's shape) and `oracle_doc` (the run's oracle),
-- which serve.sh fills from the run's files (chDB's test: from file()). Gold's lists become
-- rows ClickHouse serves (`gold_rows`, and `gold_daily` for the dashboard), and each list is
-- compared with the oracle's inside ClickHouse.
CREATE VIEW IF NOT EXISTS gold_lists AS SELECT json FROM gold_doc;

CREATE VIEW IF NOT EXISTS oracle_lists AS
SELECT JSONExtractRaw(json, 'gold') AS json FROM oracle_doc;

-- One row per (list, key, trips, revenue_cents) of a Gold document's four lists.
CREATE VIEW IF NOT EXISTS gold_rows AS
  SELECT 'daily' AS list, JSONExtractString(r, 'date') AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM gold_lists ARRAY JOIN JSONExtractArrayRaw(json, 'daily') AS r
  UNION ALL
  SELECT 'borough' AS list, JSONExtractString(r, 'borough') AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM gold_lists ARRAY JOIN JSONExtractArrayRaw(json, 'borough') AS r
  UNION ALL
  SELECT 'payment_type' AS list, toString(JSONExtractInt(r, 'payment_type')) AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM gold_lists ARRAY JOIN JSONExtractArrayRaw(json, 'payment_type') AS r
  UNION ALL
  SELECT 'hourly' AS list, toString(JSONExtractInt(r, 'hour')) AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM gold_lists ARRAY JOIN JSONExtractArrayRaw(json, 'hourly') AS r;

CREATE VIEW IF NOT EXISTS oracle_rows AS
  SELECT 'daily' AS list, JSONExtractString(r, 'date') AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM oracle_lists ARRAY JOIN JSONExtractArrayRaw(json, 'daily') AS r
  UNION ALL
  SELECT 'borough' AS list, JSONExtractString(r, 'borough') AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM oracle_lists ARRAY JOIN JSONExtractArrayRaw(json, 'borough') AS r
  UNION ALL
  SELECT 'payment_type' AS list, toString(JSONExtractInt(r, 'payment_type')) AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM oracle_lists ARRAY JOIN JSONExtractArrayRaw(json, 'payment_type') AS r
  UNION ALL
  SELECT 'hourly' AS list, toString(JSONExtractInt(r, 'hour')) AS key,
         JSONExtractInt(r, 'trips') AS trips, JSONExtractInt(r, 'revenue_cents') AS revenue_cents
  FROM oracle_lists ARRAY JOIN JSONExtractArrayRaw(json, 'hourly') AS r;

CREATE VIEW IF NOT EXISTS gold_daily AS
SELECT toDate(key) AS pickup_date, trips, revenue_cents / 100 AS revenue
FROM gold_rows WHERE list = 'daily';

-- A list is equal when every key is on both sides with the same trips and revenue: a key on
-- one side only meets the other side's defaults (0 trips), which no Gold row has.
SELECT
  concat('serving_lists=', toString(count())),
  concat('serving_lists_equal=', toString(countIf(differing = 0)))
FROM (
  SELECT list, countIf(g.trips != o.trips OR g.revenue_cents != o.revenue_cents) AS differing
  FROM gold_rows AS g FULL OUTER JOIN oracle_rows AS o USING (list, key)
  GROUP BY list
)
FORMAT TSVRaw;
