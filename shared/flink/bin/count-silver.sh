#!/bin/sh
# In the jobmanager container: counts what the job wrote and prints `bronze_rows=N` and
# `silver_rows=N`.
#
#   count-silver.sh [STORAGE]
#
# `iceberg` (default): a batch query of the Iceberg tables through Flink's SQL client.
# `files`: the JSON lines under /data/lake, one record a line; Silver's are debezium-json
# changes, which must all be inserts (silver.sql says why), so `silver_non_inserts=N` is
# printed too and any other change fails the stage.
set -eu
storage=${1:-iceberg}
flink=$(cd "$(dirname "$0")/.." && pwd)
case "$storage" in
  iceberg)
    query=$(mktemp /tmp/rtde-count.XXXXXX)
    "$flink/bin/job-sql.sh" /data/oracle.json "$flink/sql/catalog_lake.sql" \
      "$flink/sql/count_silver.sql" > "$query"
    exec /opt/flink/bin/sql-client.sh -f "$query" ;;
  files)
    # Committed part files only: Flink names in-progress ones `.part-…`.
    records() { find "/data/lake/$1" -name 'part-*' -type f -exec cat {} +; }
    echo "bronze_rows=$(records bronze | wc -l)"
    echo "silver_rows=$(records silver | grep -c '"op":"c"' || true)"
    others=$(records silver | grep -vc '"op":"c"' || true)
    echo "silver_non_inserts=$others"
    if [ "$others" -ne 0 ]; then
      echo "count-silver.sh: $others Silver changes are not inserts (see silver.sql)" >&2
      exit 1
    fi ;;
  *)
    echo "count-silver.sh: storage \`$storage\` is neither iceberg nor files" >&2
    exit 2 ;;
esac
