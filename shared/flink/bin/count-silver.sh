#!/bin/sh
# In the jobmanager container: counts the rows of the Iceberg Silver table the job wrote and
# prints `silver_rows=N`.
set -eu
flink=$(cd "$(dirname "$0")/.." && pwd)
query=$(mktemp /tmp/rtde-count.XXXXXX)
"$flink/bin/job-sql.sh" /data/oracle.json "$flink/sql/catalog_lake.sql" \
  "$flink/sql/count_silver.sql" > "$query"
exec /opt/flink/bin/sql-client.sh -f "$query"
