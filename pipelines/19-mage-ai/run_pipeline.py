#!/usr/bin/env python3
"""Run one Mage pipeline through the Mage server's HTTP API and wait for its end (P19's stage).

    run_pipeline.py --pipeline taxi_lake --trigger rtde --token TOKEN --timeout 900

1. waits (within the deadline) until the server's scheduler has synced the pipeline's API
   trigger from its triggers.yaml into the database;
2. starts a run: POST /api/pipeline_schedules/<id>/pipeline_runs/<token>;
3. polls the run until Mage says it ended (completed, failed or cancelled) or the deadline
   passes, printing each change of state;
4. prints every block run as an `rtde-task {json}` line (Mage's own start, end and state),
   which rtde records in run.json (src/run/tasks.rs), and `mage_blocks_completed=N`.

Exits 0 only when the run completed. A failed run prints the failed blocks' log lines from
Mage's log files, so the stage log says why; a run past the deadline is cancelled and its
state printed. Standard library only: it runs in the Mage container, beside the server.
"""

import argparse
import glob
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

# Mage's web client sends this fixed client id as `api_key` (mage_ai/settings/server.py:
# OAUTH2_APPLICATION_CLIENT_ID); without user authentication it is all the API asks for.
API_KEY = "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2"
ENDED = {"completed", "failed", "cancelled"}


class Mage:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None, **query):
        query["api_key"] = API_KEY
        url = f"{self.url}/api/{path}?{urllib.parse.urlencode(query)}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}") from e
        if "error" in answer:
            raise RuntimeError(f"{method} {path}: {json.dumps(answer['error'])[:1000]}")
        return answer


def wait_for_trigger(mage, pipeline, name, deadline):
    """The id of the pipeline's trigger `name`, once the scheduler has synced it."""
    pause = 0.2
    while True:
        try:
            schedules = mage.call("GET", f"pipelines/{pipeline}/pipeline_schedules")
            for schedule in schedules.get("pipeline_schedules", []):
                if schedule["name"] == name and schedule["status"] == "active":
                    return schedule["id"]
            seen = [s["name"] for s in schedules.get("pipeline_schedules", [])]
            why = f"the pipeline's triggers are {seen}"
        except (OSError, RuntimeError) as e:
            why = str(e)
        if time.monotonic() > deadline:
            raise RuntimeError(f"trigger `{name}` of {pipeline} not synced in time: {why}")
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)


def iso(text):
    """Mage's `2026-12-02 01:00:00.123456+00:00` (or None) as RFC 3339 in UTC."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def failure_logs(variables_dir, pipeline, schedule, blocks):
    """The end of the log Mage wrote for each failed block in its latest run of the trigger
    (`<variables_dir>/<project>/pipelines/<pipeline>/.logs/<trigger id>/<run time>/`)."""
    for block in blocks:
        pattern = f"{variables_dir}/*/pipelines/{pipeline}/.logs/{schedule}/*/{block}.log"
        logs = sorted(glob.glob(pattern), key=os.path.getmtime)
        if not logs:
            print(f"---- no Mage log of block {block} ({pattern})")
            continue
        with open(logs[-1], encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        print(f"---- Mage's log of block {block}: {logs[-1]} (last {min(len(lines), 60)} lines)")
        for line in lines[-60:]:
            print(line)


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--url", default="http://127.0.0.1:6789")
    args.add_argument("--pipeline", required=True)
    args.add_argument("--trigger", required=True)
    args.add_argument("--token", required=True)
    args.add_argument("--timeout", type=float, required=True, help="seconds")
    args.add_argument("--variables-dir", default="/home/src/mage_data",
                      help="the project's variables_dir, where Mage writes its logs")
    opts = args.parse_args()
    deadline = time.monotonic() + opts.timeout
    mage = Mage(opts.url)

    schedule = wait_for_trigger(mage, opts.pipeline, opts.trigger, deadline)
    run = mage.call(
        "POST",
        f"pipeline_schedules/{schedule}/pipeline_runs/{opts.token}",
        {"pipeline_run": {"variables": {}}},
    )["pipeline_run"]
    run_id = run["id"]
    print(f"mage: pipeline run {run_id} of {opts.pipeline} created ({run['status']})", flush=True)

    status, pause, blocks = run["status"], 0.2, {}
    while status not in ENDED:
        if time.monotonic() > deadline:
            mage.call("PUT", f"pipeline_runs/{run_id}", {"pipeline_run": {"status": "cancelled"}})
            print(f"mage: run {run_id} still {status} at the deadline; cancelled it", flush=True)
            break
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)
        now = mage.call("GET", f"pipeline_runs/{run_id}")["pipeline_run"]["status"]
        if now != status:
            print(f"mage: run {run_id} {now}", flush=True)
            status = now
        # Each block's change of state as it happens, so a run that hangs shows where.
        for block in mage.call("GET", "block_runs", pipeline_run_id=run_id)["block_runs"]:
            if blocks.get(block["block_uuid"]) != block["status"]:
                blocks[block["block_uuid"]] = block["status"]
                print(f"mage: block {block['block_uuid']} {block['status']}", flush=True)

    block_runs = mage.call("GET", "block_runs", pipeline_run_id=run_id)["block_runs"]
    completed = 0
    for block in sorted(block_runs, key=lambda b: (b.get("started_at") or "", b["block_uuid"])):
        completed += block["status"] == "completed"
        task = {
            "name": block["block_uuid"],
            "state": block["status"],
            "started_at": iso(block.get("started_at")),
            "ended_at": iso(block.get("completed_at")),
        }
        print("rtde-task " + json.dumps(task))
    print(f"mage_blocks_completed={completed}")
    print(f"mage_blocks_total={len(block_runs)}")
    if status != "completed":
        failed = [b["block_uuid"] for b in block_runs if b["status"] == "failed"]
        failure_logs(opts.variables_dir, opts.pipeline, schedule, failed)
        print(f"mage: run {run_id} ended {status}; failed blocks: {failed or 'none'}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print(f"run_pipeline.py: {e}", file=sys.stderr)
        sys.exit(1)
