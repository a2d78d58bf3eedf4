#!/bin/sh
# In the dbt runner, for the Flink pipelines (P01, P04): prints the dbt vars (JSON, for
# RTDE_DBT_VARS) saying where the Flink job's Silver is.
#
#   flink_silver_vars.sh iceberg|files
#
# iceberg: the current metadata file of taxi.silver_trips, asked of the stack's REST catalog.
# files: the job's Silver JSON lines under /data/lake/silver, turned into Parquet first.
set -eu
scripts=$(dirname "$0")
case "${1:-}" in
  iceberg)
    exec python "$scripts/iceberg_metadata.py" --catalog http://catalog:8181/catalog \
      --warehouse warehouse --table taxi.silver_trips ;;
  files)
    exec python "$scripts/flink_files_silver.py" /data/lake/silver /data/lake/silver.parquet ;;
  *)
    echo "usage: $0 iceberg|files (the pipeline's storage variable)" >&2
    exit 2 ;;
esac
