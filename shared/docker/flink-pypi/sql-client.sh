#!/bin/sh
# `sql-client.sh -f SCRIPT`, at the path shared/flink/bin/run-job.sh calls in both images.
# Flink's SQL client cannot run from registry packages: the flink-sql-client jar of
# apache-flink-libraries lacks the SQL gateway it is built on. So the script runs through
# RunSql (the driver of the local test, shared/flink/local/RunSql.java), which submits each
# job to the session cluster of FLINK_CONF_DIR (execution.target remote) and waits for its
# end: a failed job fails the command at once, with the JobManager's exception.
set -eu
if [ $# -ne 2 ] || [ "$1" != -f ]; then
  echo "usage: $0 -f SCRIPT.sql (the only form of the SQL client this image has)" >&2
  exit 2
fi
exec java -Xmx512m -Dlog4j.configurationFile="file:$FLINK_CONF_DIR/log4j-cli.properties" \
  -classpath "$FLINK_HOME/lib/*" "$FLINK_HOME/bin/RunSql.java" "$2"
