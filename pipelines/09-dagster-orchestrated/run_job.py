#!/usr/bin/env python3
"""Run P09's Dagster job once through the webserver's GraphQL API and wait for its end.

    run_job.py --job p01 --config storage=files --config broker=tansu --timeout 1740

1. waits (within the deadline) until the webserver has loaded the code location
   (definitions.py) and its job;
2. launches one run of the job, with the values as the `p01` resource's config;
3. polls the run until Dagster says it ended (SUCCESS, FAILURE, CANCELED) or the deadline
   passes (the run is then terminated), printing each change of status and the run's log
   messages as they arrive: the steps' output, with the counts rtde captures;
4. prints every step as an `rtde-task {json}` line (Dagster's own start, end and status),
   which rtde records in run.json (src/run/tasks.rs), and `dagster_steps_succeeded=N`.

Exits 0 only when the run succeeded; otherwise the stage log already holds the run's log,
the failed step's error included. Standard library only: it runs in the webserver's
container, on loopback.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

ENDED = {"SUCCESS", "FAILURE", "CANCELED"}

LOCATIONS = """
query { workspaceOrError { __typename ... on Workspace { locationEntries {
  name locationOrLoadError { __typename
    ... on RepositoryLocation { repositories { name jobs { name } } }
    ... on PythonError { message } } } } } }
"""
LAUNCH = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } }
  ... on InvalidSubsetError { message } ... on PipelineNotFoundError { message } } }
"""
STATUS = """
query($id: ID!) { runOrError(runId: $id) { __typename ... on Run {
  status stepStats { stepKey status startTime endTime } } } }
"""
LOGS = """
query($id: ID!, $after: String) { logsForRun(runId: $id, afterCursor: $after) {
  __typename ... on EventConnection { cursor hasMore events { __typename
    ... on MessageEvent { message stepKey level }
    ... on ExecutionStepFailureEvent { error { message stack } } } } } }
"""
TERMINATE = """
mutation($id: String!) { terminateRun(runId: $id) { __typename } }
"""


class Dagster:
    def __init__(self, url):
        self.url = url.rstrip("/") + "/graphql"

    def call(self, query, **variables):
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"GraphQL: HTTP {e.code}: {e.read()[:500]!r}") from e
        if answer.get("errors"):
            raise RuntimeError(f"GraphQL: {json.dumps(answer['errors'])[:1000]}")
        return answer["data"]


def wait_for_job(dagster, job, deadline):
    """(location, repository) of the loaded code location that has `job`."""
    pause = 0.2
    while True:
        try:
            workspace = dagster.call(LOCATIONS)["workspaceOrError"]
            why = f"the workspace is {workspace['__typename']}"
            for entry in workspace.get("locationEntries", []):
                location = entry.get("locationOrLoadError") or {}
                if location.get("__typename") == "PythonError":
                    why = f"location {entry['name']} failed to load: {location['message']}"
                for repo in location.get("repositories", []):
                    if any(j["name"] == job for j in repo["jobs"]):
                        return entry["name"], repo["name"]
        except (OSError, RuntimeError) as e:
            why = str(e)
        if time.monotonic() > deadline:
            raise RuntimeError(f"job `{job}` not loaded in time: {why}")
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)


def print_new_logs(dagster, run_id, cursor):
    """The run's log messages after `cursor`; returns the new cursor."""
    while True:
        logs = dagster.call(LOGS, id=run_id, after=cursor)["logsForRun"]
        if logs["__typename"] != "EventConnection":
            raise RuntimeError(f"the run's logs: {logs['__typename']}")
        for event in logs["events"]:
            # Dagster's own DEBUG events (one per planned asset and check) would bury the
            # steps' output.
            if event.get("message") and event.get("level") != "DEBUG":
                step = f"[{event['stepKey']}] " if event.get("stepKey") else ""
                for line in event["message"].splitlines():
                    print(f"dagster: {step}{line}", flush=True)
            if event.get("error"):
                print(event["error"]["message"] + "".join(event["error"]["stack"]), flush=True)
        cursor = logs["cursor"]
        if not logs["hasMore"]:
            return cursor


def rfc3339(seconds):
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()


def config_value(text):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"`{text}` is not NAME=VALUE")
    return name, value


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--url", default="http://127.0.0.1:3000")
    args.add_argument("--job", required=True)
    args.add_argument("--config", type=config_value, action="append", default=[],
                      help="NAME=VALUE of the `p01` resource")
    args.add_argument("--timeout", type=float, required=True, help="seconds")
    opts = args.parse_args()
    deadline = time.monotonic() + opts.timeout
    dagster = Dagster(opts.url)

    location, repository = wait_for_job(dagster, opts.job, deadline)
    params = {
        "selector": {
            "repositoryLocationName": location,
            "repositoryName": repository,
            "jobName": opts.job,
        },
        "runConfigData": {"resources": {"p01": {"config": dict(opts.config)}}},
    }
    launched = dagster.call(LAUNCH, params=params)["launchRun"]
    if launched["__typename"] != "LaunchRunSuccess":
        raise RuntimeError(f"launching `{opts.job}`: {json.dumps(launched)[:1000]}")
    run_id = launched["run"]["runId"]
    print(f"dagster: run {run_id} of {opts.job} launched", flush=True)

    status, pause, cursor = None, 0.2, None
    while True:
        run = dagster.call(STATUS, id=run_id)["runOrError"]
        if run["status"] != status:
            status = run["status"]
            print(f"dagster: run {run_id} {status}", flush=True)
        cursor = print_new_logs(dagster, run_id, cursor)
        if status in ENDED:
            break
        if time.monotonic() > deadline:
            dagster.call(TERMINATE, id=run_id)
            print(f"dagster: run {run_id} still {status} at the deadline; terminated it")
            break
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)

    steps = dagster.call(STATUS, id=run_id)["runOrError"]["stepStats"]
    succeeded = 0
    for step in sorted(steps, key=lambda s: (s["startTime"] or 0, s["stepKey"])):
        succeeded += step["status"] == "SUCCESS"
        print("rtde-task " + json.dumps({
            "name": step["stepKey"],
            "state": (step["status"] or "NOT_STARTED").lower(),
            "started_at": rfc3339(step["startTime"]),
            "ended_at": rfc3339(step["endTime"]),
        }), flush=True)
    print(f"dagster_steps_succeeded={succeeded}")
    print(f"dagster_steps_total={len(steps)}")
    if status != "SUCCESS":
        print(f"dagster: run {run_id} ended {status}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print(f"run_job.py: {e}", file=sys.stderr)
        sys.exit(1)
