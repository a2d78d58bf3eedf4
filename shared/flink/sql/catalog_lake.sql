-- The Iceberg REST catalog of the stack (Lakekeeper, shared/compose/iceberg-catalog.yaml) as
-- Flink catalog `lake`, database `taxi`. Lakekeeper vends short-lived S3 credentials for the
-- warehouse's MinIO bucket with each table, so no key is written here; the region is the
-- warehouse's (S3FileIO needs one, MinIO ignores it).
CREATE CATALOG lake WITH (
  'type' = 'iceberg',
  'catalog-type' = 'rest',
  'uri' = '${catalog_uri}',
  'warehouse' = '${warehouse}',
  'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO',
  'header.X-Iceberg-Access-Delegation' = 'vended-credentials',
  'client.region' = 'us-east-1'
);
CREATE DATABASE IF NOT EXISTS lake.taxi;
USE CATALOG lake;
USE taxi;
