#!/bin/sh
# In the jobmanager container: submits the pipeline's Flink job through Flink's SQL client,
# reading the Kafka topic to its bound and writing Bronze, Silver and the dead-letter topic.
# Returns once the job is submitted, having printed its `Job ID:` (settings_stack.sql submits
# detached); the stage's `flink_job` probe watches the job to FINISHED through the
# JobManager's REST API, failing the stage at once with its exception if it fails.
#
#   run-job.sh [STORAGE [BROKER]]
#
# STORAGE: `iceberg` (default: the Iceberg tables of the lake catalog) or `files` (JSON-lines
# files under /data/lake, where no Iceberg runtime can be had; dbt reads them). BROKER
# `tansu`: its ListOffsets answers wrong high watermarks, and a source bounded at the latest
# offset would stop short, so the source stops at the end offsets the `raw_offsets` stage
# measured by reading the topic (/data/raw_trips.offsets) instead.
set -eu
storage=${1:-iceberg}
broker=${2:-kafka}
flink=$(cd "$(dirname "$0")/.." && pwd)
sql=$flink/sql
case "$storage" in
  iceberg) sinks="$sql/catalog_lake.sql $sql/sinks_lake.sql" ;;
  files)
    sinks="$sql/sinks_files.sql"
    RTDE_FLINK_OUTPUT=/data/lake
    export RTDE_FLINK_OUTPUT ;;
  *)
    echo "run-job.sh: storage \`$storage\` is neither iceberg nor files" >&2
    exit 2 ;;
esac
if [ "$broker" = tansu ]; then
  if [ ! -s /data/raw_trips.offsets ]; then
    echo "run-job.sh: /data/raw_trips.offsets is missing: the raw_offsets stage" \
      "(rtde topics count --offsets-out) measures the topic's end first" >&2
    exit 1
  fi
  RTDE_FLINK_BOUNDED_OFFSETS=$(cat /data/raw_trips.offsets)
  export RTDE_FLINK_BOUNDED_OFFSETS
  echo "bounded at the measured end offsets $RTDE_FLINK_BOUNDED_OFFSETS"
fi
job=$(mktemp /tmp/rtde-job.XXXXXX)
# $sinks is a list of paths without spaces: split on purpose.
# shellcheck disable=SC2086
"$flink/bin/job-sql.sh" /data/oracle.json "$sql/settings_stack.sql" $sinks \
  "$sql/dead_letters_kafka.sql" "$sql/source_kafka.sql" transforms > "$job"
exec /opt/flink/bin/sql-client.sh -f "$job"
