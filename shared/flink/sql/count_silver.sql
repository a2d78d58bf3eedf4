-- The Bronze and Silver row counts, read back from the Iceberg tables (after
-- catalog_lake.sql) as bounded batch queries; prints `bronze_rows=N` and `silver_rows=N` for
-- the stage's captures.
SET 'execution.runtime-mode' = 'batch';
SET 'sql-client.execution.result-mode' = 'tableau';
SELECT CONCAT('silver_rows=', CAST(COUNT(*) AS STRING)) AS silver_rows FROM silver_trips;
SELECT CONCAT('bronze_rows=', CAST(COUNT(*) AS STRING)) AS bronze_rows FROM bronze_trips;
