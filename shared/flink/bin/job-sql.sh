#!/bin/sh
# Prints the SQL of the rtde Flink job: sinks, source, then Bronze, Silver and the dead letters
# in one statement set, so the source is read once and one job writes all three.
#
#   job-sql.sh ORACLE SINKS.sql SOURCE.sql > job.sql
#
# The stack runs it with sinks_lake.sql + source_kafka.sql and hands the result to Flink's SQL
# client; the local test (shared/flink/local/) with sinks_files.sql + source_files.sql. The
# transforms are the same files in both. Flink's SQL client substitutes no variables, so this
# script does: the generation window `${window_start}`/`${window_end}` from the run's oracle
# (never a constant), the rest from the environment with the stack's defaults:
#   RTDE_FLINK_BOOTSTRAP (broker:9092), RTDE_FLINK_INPUT, RTDE_FLINK_OUTPUT (file sinks),
#   RTDE_FLINK_CATALOG_URI (http://catalog:8181/catalog), RTDE_FLINK_WAREHOUSE (warehouse),
#   RTDE_S3_ENDPOINT (http://minio:9000). Values must not contain `|`.
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 ORACLE SINKS.sql SOURCE.sql" >&2
  exit 2
fi
oracle=$1 sinks=$2 source=$3
sql=$(dirname "$0")/../sql

# The oracle is JSON written by rtde; `"start": "…"` appears once, inside `window`.
oracle_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$oracle" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
}
window_start=$(oracle_field start)
window_end=$(oracle_field end)
if [ -z "$window_start" ] || [ -z "$window_end" ]; then
  echo "$oracle holds no window.start/window.end: run \`rtde generate --oracle-out\` first" >&2
  exit 1
fi

{
  cat "$sinks" "$source" "$sql/bronze_records.sql"
  echo "EXECUTE STATEMENT SET BEGIN"
  cat "$sql/bronze.sql" "$sql/silver.sql" "$sql/dead_letters.sql"
  echo "END;"
} | sed \
  -e '/^[[:space:]]*--/d' \
  -e "s|\${window_start}|$window_start|g" \
  -e "s|\${window_end}|$window_end|g" \
  -e "s|\${bootstrap_servers}|${RTDE_FLINK_BOOTSTRAP:-broker:9092}|g" \
  -e "s|\${input_path}|${RTDE_FLINK_INPUT:-}|g" \
  -e "s|\${output_path}|${RTDE_FLINK_OUTPUT:-}|g" \
  -e "s|\${catalog_uri}|${RTDE_FLINK_CATALOG_URI:-http://catalog:8181/catalog}|g" \
  -e "s|\${warehouse}|${RTDE_FLINK_WAREHOUSE:-warehouse}|g" \
  -e "s|\${s3_endpoint}|${RTDE_S3_ENDPOINT:-http://minio:9000}|g"
