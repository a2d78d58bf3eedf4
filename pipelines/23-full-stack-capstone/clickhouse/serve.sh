#!/bin/sh
# In the clickhouse container: loads the run's Gold (/data/gold.json, exported from dbt's
# DuckDB file) and oracle (/data/oracle.json) as one JSON document each, through the client's
# stdin (the server's file() reads only its user_files folder), then runs serve.sql; prints
# `serving_lists=N` and `serving_lists_equal=M`.
set -eu
ch() { clickhouse-client --user rtde --password rtde --database rtde "$@"; }
for doc in gold oracle; do
  ch --query "DROP TABLE IF EXISTS ${doc}_doc"
  ch --query "CREATE TABLE ${doc}_doc (json String) ENGINE = Memory"
  ch --query "INSERT INTO ${doc}_doc FORMAT JSONAsString" < "/data/$doc.json"
done
ch --multiquery < /p23/clickhouse/serve.sql
