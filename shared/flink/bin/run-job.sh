#!/bin/sh
# In the jobmanager container: submits the pipeline's Flink job through Flink's SQL client,
# reading the Kafka topic to its bound and writing Bronze, Silver and the dead-letter topic.
# Returns once the job is submitted, having printed its `Job ID:` (settings_stack.sql submits
# detached); the stage's `flink_job` probe watches the job to FINISHED through the
# JobManager's REST API, failing the stage at once with its exception if it fails.
#
#   run-job.sh [STORAGE [BROKER [SOURCE [MODE]]]]
#
# MODE `streaming` (a sustained load, `rtde bench p01 --rate R`): the source is unbounded,
# the submission returns once the job runs (stop-jobs.sh stops it with a final savepoint), checkpoints every 2 s
# commit the file sinks' parts, and the window comes from RTDE_WINDOW (`start/end`), since
# the oracle is written only when the load ends; `batch` (default) reads to the bound.
#
# STORAGE: `iceberg` (default: the Iceberg tables of the lake catalog) or `files` (JSON-lines
# files under /data/lake, where no Iceberg runtime can be had; dbt reads them). BROKER
# `tansu`: its ListOffsets answers wrong high watermarks, and a source bounded at the latest
# offset would stop short, so the source stops at the end offsets the `raw_offsets` stage
# measured by reading the topic (/data/raw_trips.offsets) instead. SOURCE `kafka` (default:
# the generator's events on taxi.raw_trips, dead letters to taxi.raw_trips.dlq) or `cdc`
# (P12: Debezium's change events of the generator's PostgreSQL table, debezium-json; Bronze
# and Silver only, nothing malformed can reach a table).
set -eu
storage=${1:-iceberg}
broker=${2:-kafka}
source=${3:-kafka}
mode=${4:-batch}
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
settings=$sql/settings_stack.sql
if [ "$mode" = streaming ]; then
  RTDE_FLINK_UNBOUNDED=1
  export RTDE_FLINK_UNBOUNDED
  settings="$settings $sql/settings_streaming.sql"
elif [ "$broker" = tansu ]; then
  if [ ! -s /data/raw_trips.offsets ]; then
    echo "run-job.sh: /data/raw_trips.offsets is missing: the raw_offsets stage" \
      "(rtde topics count --offsets-out) measures the topic's end first" >&2
    exit 1
  fi
  RTDE_FLINK_BOUNDED_OFFSETS=$(cat /data/raw_trips.offsets)
  export RTDE_FLINK_BOUNDED_OFFSETS
  echo "bounded at the measured end offsets $RTDE_FLINK_BOUNDED_OFFSETS"
fi
case "$source" in
  kafka) parts="$sql/dead_letters_kafka.sql $sql/source_kafka.sql transforms" ;;
  cdc)
    parts="$sql/source_cdc_kafka.sql transforms-cdc"
    # The change events are a changelog: the file sink's Bronze must accept one.
    RTDE_FLINK_BRONZE_FORMAT=debezium-json
    export RTDE_FLINK_BRONZE_FORMAT ;;
  *)
    echo "run-job.sh: source \`$source\` is neither kafka nor cdc" >&2
    exit 2 ;;
esac
job=$(mktemp /tmp/rtde-job.XXXXXX)
# $settings, $sinks and $parts are lists of words without spaces: split on purpose.
# shellcheck disable=SC2086
"$flink/bin/job-sql.sh" /data/oracle.json $settings $sinks $parts > "$job"
exec /opt/flink/bin/sql-client.sh -f "$job"
