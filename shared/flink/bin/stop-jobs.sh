#!/bin/sh
# In the jobmanager container: stop every RUNNING job through the REST API, then wait until
# none is left running; the stop of a streaming job under a sustained load
# (`rtde bench p01 --rate R`, the manifest's `sustained.stop`). Python or curl, whichever the
# image has (the local image has Python, the public one curl).
#
# A stop with a final savepoint and `drain` (Flink's `stop --drain`), not a cancel: the
# sources end their input, the file sinks roll and commit every part in that last
# checkpoint, and the job FINISHES. A cancel drops the parts not yet committed, which lost
# Bronze rows once the job ran behind the load (P01 at 8000 events/s: 236,547 of 239,750).
set -eu
api=${RTDE_FLINK_REST:-http://127.0.0.1:8081}
body='{"drain": true, "targetDirectory": "file:///tmp/flink-savepoints"}'
if command -v python3 >/dev/null 2>&1; then
  exec python3 - "$api" "$body" <<'PY'
import json, sys, time, urllib.request
api, body = sys.argv[1], sys.argv[2].encode()
def jobs():
    with urllib.request.urlopen(f"{api}/jobs") as r:
        return {j["id"]: j["status"] for j in json.load(r)["jobs"]}
stopped = [job for job, status in jobs().items() if status == "RUNNING"]
for job in stopped:
    urllib.request.urlopen(urllib.request.Request(
        f"{api}/jobs/{job}/stop", data=body, method="POST",
        headers={"Content-Type": "application/json"}))
    print(f"stopping {job} with a final savepoint (drain)")
deadline = time.monotonic() + 180
pause = 0.1
while True:
    states = jobs()
    left = [job for job in stopped if states.get(job) not in ("FINISHED", "FAILED", "CANCELED")]
    if not left:
        break
    if time.monotonic() > deadline:
        sys.exit(f"jobs {left} still not finished 180 s after their stop")
    time.sleep(pause)  # polling the REST API until the stop has taken effect
    pause = min(pause * 1.5, 2.0)
failed = [job for job in stopped if states[job] != "FINISHED"]
if failed:
    sys.exit(f"jobs {failed} ended {[states[j] for j in failed]}, not FINISHED: their last parts may be missing")
for job in stopped:
    print(f"stopped {job}: FINISHED")
PY
fi
for job in $(curl -fsS "$api/jobs" | tr '{' '\n' | grep '"RUNNING"' | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/'); do
  curl -fsS -X POST -H 'Content-Type: application/json' -d "$body" "$api/jobs/$job/stop" >/dev/null
  echo "stopping $job with a final savepoint (drain)"
done
