#!/bin/sh
# The registry-free Flink image's entry point, standing in for the public image's
# docker-entrypoint.sh and the distribution's start scripts (which no registry package
# carries): `jobmanager` starts a standalone session cluster's JobManager, `taskmanager` a
# TaskManager, anything else runs as given. As in the public image, FLINK_PROPERTIES
# (`key: value` lines) is appended to conf/config.yaml, so shared/compose/flink.yaml
# configures both images the same way. The JVM's memory options are computed from that
# configuration by the distribution's own BashJavaUtils, as its scripts do.
set -eu
conf=$FLINK_CONF_DIR
# A key of FLINK_PROPERTIES replaces the base's (YAML refuses a key twice).
printf '%s\n' "${FLINK_PROPERTIES:-}" > "$conf/properties.yaml"
awk -F: 'NR == FNR { if (NF > 1) given[$1] = 1; next } !($1 in given)' \
  "$conf/properties.yaml" "$FLINK_HOME/conf-base/config.yaml" > "$conf/config.yaml"
cat "$conf/properties.yaml" >> "$conf/config.yaml"
rm "$conf/properties.yaml"

case "${1:-}" in
  jobmanager)
    main=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
    resources=GET_JM_RESOURCE_PARAMS ;;
  taskmanager)
    main=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
    resources=GET_TM_RESOURCE_PARAMS ;;
  *)
    exec "$@" ;;
esac

# Two result lines: the JVM options, then the `-D key=value` memory settings for Flink.
params=$(java -cp "$FLINK_HOME/bin/bash-java-utils.jar:$FLINK_HOME/lib/*" \
  org.apache.flink.runtime.util.bash.BashJavaUtils "$resources" --configDir "$conf" \
  | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')
jvm=$(printf '%s\n' "$params" | sed -n 1p)
dynamic=$(printf '%s\n' "$params" | sed -n 2p)
if [ -z "$jvm" ]; then
  echo "flink.sh: BashJavaUtils computed no memory options from $conf/config.yaml" >&2
  exit 1
fi
# $jvm and $dynamic are option lists: split on spaces on purpose.
# shellcheck disable=SC2086
exec java $jvm -Dlog4j.configurationFile="file:$conf/log4j-console.properties" \
  -classpath "$FLINK_HOME/lib/*" "$main" --configDir "$conf" $dynamic
