#!/bin/sh
# In the jobmanager container: the pipeline's Flink job through Flink's SQL client, reading
# Kafka up to its latest offset and writing Iceberg Bronze/Silver and the dead-letter topic.
# Returns when the job has FINISHED (table.dml-sync), failing if the job fails.
set -eu
flink=$(cd "$(dirname "$0")/.." && pwd)
job=$(mktemp /tmp/rtde-job.XXXXXX)
"$flink/bin/job-sql.sh" /data/oracle.json "$flink/sql/catalog_lake.sql" \
  "$flink/sql/sinks_lake.sql" "$flink/sql/source_kafka.sql" transforms > "$job"
exec /opt/flink/bin/sql-client.sh -f "$job"
