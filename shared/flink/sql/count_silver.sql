-- The Silver row count, read back from the Iceberg table (after catalog_lake.sql) as a
-- bounded batch query; prints `silver_rows=N` for the stage's capture.
SET 'execution.runtime-mode' = 'batch';
SET 'sql-client.execution.result-mode' = 'tableau';
SELECT CONCAT('silver_rows=', CAST(COUNT(*) AS STRING)) AS silver_rows FROM silver_trips;
