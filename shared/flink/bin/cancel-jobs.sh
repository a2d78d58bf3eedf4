#!/bin/sh
# In the jobmanager container: cancel every RUNNING job through the REST API, then wait until
# none is left running; the stop of a streaming job under a sustained load
# (`rtde bench p01 --rate R`, the manifest's `sustained.stop`). Python or curl, whichever the
# image has (the local image has Python, the public one curl).
set -eu
api=${RTDE_FLINK_REST:-http://127.0.0.1:8081}
if command -v python3 >/dev/null 2>&1; then
  exec python3 - "$api" <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
def running():
    with urllib.request.urlopen(f"{api}/jobs") as r:
        return [j["id"] for j in json.load(r)["jobs"] if j["status"] == "RUNNING"]
for job in running():
    urllib.request.urlopen(urllib.request.Request(f"{api}/jobs/{job}?mode=cancel", method="PATCH"))
    print(f"cancelled {job}")
deadline = time.monotonic() + 60
pause = 0.1
while running():
    if time.monotonic() > deadline:
        sys.exit("jobs still running 60 s after their cancellation")
    time.sleep(pause)  # polling the REST API until the cancellation has taken effect
    pause = min(pause * 1.5, 2.0)
PY
fi
for job in $(curl -fsS "$api/jobs" | tr '{' '\n' | grep '"RUNNING"' | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/'); do
  curl -fsS -X PATCH "$api/jobs/$job?mode=cancel" >/dev/null
  echo "cancelled $job"
done
