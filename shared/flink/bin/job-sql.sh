#!/bin/sh
# Prints the SQL of an rtde Flink session: the given files in order, where the word
# `transforms` stands for Bronze, Silver and the dead letters in one statement set (so the
# source is read once and one job writes all three), and `transforms-cdc` for Bronze and
# Silver of P12's change events (bronze_records_cdc.sql in place of bronze_records.sql; no
# dead letters: nothing malformed reaches a PostgreSQL table, docs/data-contract.md §2).
#
#   job-sql.sh ORACLE FILE|transforms|transforms-cdc... > job.sql
#
# The stack (run-job.sh) runs settings_stack.sql, the storage's sinks (catalog_lake.sql and
# sinks_lake.sql, or sinks_files.sql), dead_letters_kafka.sql, source_kafka.sql and the
# transforms through Flink's SQL client; the local test (shared/flink/local/) runs
# settings.sql, sinks_files.sql, dead_letters_files.sql, source_files.sql and the same
# transforms. Flink's SQL client
# substitutes no variables, so this script does: the generation window
# `${window_start}`/`${window_end}` from the run's oracle (never a constant), the rest from
# the environment with the stack's defaults:
#   RTDE_FLINK_BOOTSTRAP (broker:9092), RTDE_FLINK_INPUT, RTDE_FLINK_OUTPUT (file sinks),
#   RTDE_FLINK_CATALOG_URI (http://catalog:8181/catalog), RTDE_FLINK_WAREHOUSE (warehouse),
#   RTDE_FLINK_BOUNDED_OFFSETS (empty: the Kafka source stops at the latest offset; else
#   `partition:0,offset:N;…`, where it stops instead, as `rtde topics count --offsets-out`
#   measured them), RTDE_FLINK_BRONZE_FORMAT (json: the file sink's Bronze format;
#   debezium-json for a changelog source, which a plain json sink refuses),
#   RTDE_FLINK_UNBOUNDED (1: no bound, a streaming job, whose file sinks roll their parts every
#   2 s: `${file_rolling}`), RTDE_WINDOW (`start/end`: the
#   window when the oracle is not written yet, under a sustained load).
# Values must not contain `|`.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 ORACLE FILE|transforms..." >&2
  exit 2
fi
oracle=$1
shift
sql=$(dirname "$0")/../sql

# The oracle is JSON written by rtde; `"start": "…"` appears once, inside `window`.
oracle_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$oracle" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
}
if [ -n "${RTDE_WINDOW:-}" ]; then
  window_start=${RTDE_WINDOW%/*}
  window_end=${RTDE_WINDOW#*/}
else
  window_start=$(oracle_field start)
  window_end=$(oracle_field end)
fi
if [ -z "$window_start" ] || [ -z "$window_end" ]; then
  echo "$oracle holds no window.start/window.end: run \`rtde generate --oracle-out\` first" >&2
  exit 1
fi

if [ "${RTDE_FLINK_UNBOUNDED:-}" = 1 ]; then
  scan_bounded="'scan.bounded.mode' = 'unbounded'"
elif [ -n "${RTDE_FLINK_BOUNDED_OFFSETS:-}" ]; then
  scan_bounded="'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = '$RTDE_FLINK_BOUNDED_OFFSETS'"
else
  scan_bounded="'scan.bounded.mode' = 'latest-offset'"
fi
# A row format's part file (JSON) becomes visible only once it is rolled and a checkpoint
# commits it, and Flink rolls one after 30 minutes by default: a streaming job rolls every 2 s
# (checked every second) so its rows are seen within about one checkpoint. A bounded job's
# files are committed when it finishes, so it keeps Flink's defaults.
if [ "${RTDE_FLINK_UNBOUNDED:-}" = 1 ]; then
  file_rolling="'sink.rolling-policy.rollover-interval' = '2s', 'sink.rolling-policy.check-interval' = '1s'"
else
  file_rolling="'sink.rolling-policy.rollover-interval' = '30min', 'sink.rolling-policy.check-interval' = '1min'"
fi

for part in "$@"; do
  if [ "$part" = transforms ]; then
    cat "$sql/bronze_records.sql"
    echo "EXECUTE STATEMENT SET BEGIN"
    cat "$sql/bronze.sql" "$sql/silver.sql" "$sql/dead_letters.sql"
    echo "END;"
  elif [ "$part" = transforms-cdc ]; then
    cat "$sql/bronze_records_cdc.sql"
    echo "EXECUTE STATEMENT SET BEGIN"
    cat "$sql/bronze.sql" "$sql/silver.sql"
    echo "END;"
  else
    cat "$part"
  fi
done | sed \
  -e '/^[[:space:]]*--/d' \
  -e "s|\${window_start}|$window_start|g" \
  -e "s|\${window_end}|$window_end|g" \
  -e "s|\${bootstrap_servers}|${RTDE_FLINK_BOOTSTRAP:-broker:9092}|g" \
  -e "s|\${input_path}|${RTDE_FLINK_INPUT:-}|g" \
  -e "s|\${output_path}|${RTDE_FLINK_OUTPUT:-}|g" \
  -e "s|\${catalog_uri}|${RTDE_FLINK_CATALOG_URI:-http://catalog:8181/catalog}|g" \
  -e "s|\${warehouse}|${RTDE_FLINK_WAREHOUSE:-warehouse}|g" \
  -e "s|\${scan_bounded}|$scan_bounded|g" \
  -e "s|\${file_rolling}|$file_rolling|g" \
  -e "s|\${bronze_format}|${RTDE_FLINK_BRONZE_FORMAT:-json}|g"
