#!/bin/sh
# Run P07's Kestra flow once through Kestra's API and wait for its end, with curl.
#
#   run_flow.sh STORAGE BROKER PROJECT TIMEOUT_S
#
# 1. waits (within the deadline) until the server answers and has loaded the flow rtde/p01
#    (flow.yaml, from --flow-path at startup);
# 2. creates one execution with the inputs storage, broker and project (the Compose project
#    whose containers the tasks exec into);
# 3. polls the execution until Kestra says it is terminal or the deadline passes (the
#    execution is then killed), printing each change of state;
# 4. prints the execution's log (the tasks' output, with the metrics rtde captures) and each
#    task run as an `rtde-task {json}` line with Kestra's own start, end and state.
#
# Exits 0 only when the execution succeeded. Runs in the Kestra container, on loopback;
# KESTRA_AUTH is the basic-auth user:password compose.yaml configures. Kestra's JSON is read
# with sed, as the image has curl but no JSON tool: the execution's own state is the last
# `"current"` of its document (its `state` field follows `taskRunList`), and a task run's
# state is the last one of its entry (its attempts' states come first).
set -eu

if [ $# -ne 4 ]; then
  echo "usage: run_flow.sh STORAGE BROKER PROJECT TIMEOUT_S" >&2
  exit 2
fi
storage=$1 broker=$2 project=$3 timeout=$4
api=http://127.0.0.1:8080/api/v1/main
deadline=$(( $(date +%s) + timeout ))
get() { curl -sS --fail-with-body --max-time 30 -u "$KESTRA_AUTH" "$@"; }

pause=1
until flow=$(get "$api/flows/rtde/p01" 2>&1); do
  if [ "$(date +%s)" -gt "$deadline" ]; then
    echo "run_flow.sh: flow rtde/p01 not loaded within ${timeout} s: $flow" >&2
    exit 1
  fi
  sleep "$pause"  # polling the server until it has started and loaded the flow
  pause=2
done

created=$(get -X POST -F "storage=$storage" -F "broker=$broker" -F "project=$project" \
  "$api/executions/rtde/p01") || { echo "run_flow.sh: creating an execution: $created" >&2; exit 1; }
id=$(printf '%s' "$created" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
echo "kestra: execution $id of rtde/p01 created"

state=
while :; do
  execution=$(get "$api/executions/$id")
  now=$(printf '%s' "$execution" | sed 's/.*"current":"\([A-Z_]*\)".*/\1/')
  if [ "$now" != "$state" ]; then echo "kestra: execution $id $now"; state=$now; fi
  case "$state" in SUCCESS|WARNING|FAILED|KILLED|CANCELLED|SKIPPED) break ;; esac
  if [ "$(date +%s)" -gt "$deadline" ]; then
    get -X DELETE "$api/executions/$id/kill" >/dev/null || true
    echo "kestra: execution $id still $state at the deadline; killed it"
    break
  fi
  sleep 1  # polling the execution's state once a second until it is terminal
done

get "$api/logs/$id/download" | sed 's/^/kestra: /'

# One task run per line: the part of the document between "taskRunList":[ and "inputs":,
# split before each "taskId".
json() { if [ -n "$1" ]; then printf '"%s"' "$1"; else printf null; fi; }
succeeded=0 total=0
runs=$(printf '%s' "$execution" | sed -e 's/.*"taskRunList":\[//' -e 's/\],"inputs":.*//' \
  | sed 's/"taskId":"/\n/g' | tail -n +2)
while IFS= read -r run; do
  [ -n "$run" ] || continue
  name=${run%%\"*}
  task_state=$(printf '%s' "$run" | sed 's/.*"current":"\([A-Z_]*\)".*/\1/')
  field() { printf '%s' "$run" | grep -o "\"$1\":\"[^\"]*\"" | tail -n 1 | cut -d'"' -f4; }
  started=$(field startDate) ended=$(field endDate)
  total=$((total + 1))
  [ "$task_state" != SUCCESS ] || succeeded=$((succeeded + 1))
  printf 'rtde-task {"name": "%s", "state": "%s", "started_at": %s, "ended_at": %s}\n' \
    "$name" "$(printf '%s' "$task_state" | tr 'A-Z' 'a-z')" \
    "$(json "$started")" "$(json "$ended")"
done <<EOF
$runs
EOF
echo "kestra_tasks_succeeded=$succeeded"
echo "kestra_tasks_total=$total"
if [ "$state" != SUCCESS ]; then
  echo "kestra: execution $id ended $state (each task's log is above)"
  exit 1
fi
