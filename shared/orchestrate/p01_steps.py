"""P01's processing steps as plain functions, for an orchestrator to run as its own tasks.

An orchestrated P01 (P18 Prefect, P09 Dagster) must do the same work as P01, so that the
difference between the two runs is the orchestrator's: the same Flink SQL job, the same
Silver count and the same dbt build, in the same containers. Each step is therefore a
`docker exec` into the running stack's own container, found by its Compose labels
(`com.docker.compose.project` of the stack this process runs in, and
`com.docker.compose.service`), through the Docker socket mounted into the orchestrator's
worker. The orchestrator's flow or assets call these functions and stay thin.

Every line a step's command prints is printed here as it comes, so the orchestrator's log
(and through it the rtde stage's log) holds the job's output and the metrics rtde captures
(`bronze_rows=`, `silver_rows=`, `dbt_pass=`, `dbt_total=`). A step whose command exits
non-zero, or a Flink job that ends in any state but FINISHED, raises StepFailed with the
reason, so the orchestrator marks its task failed.
"""

import json
import re
import socket
import time
import urllib.error
import urllib.request

import docker

# The JobManager's REST API on the stack's network (shared/compose/flink.yaml).
FLINK_REST = "http://jobmanager:8081"
# Flink's SQL client prints the id of each job it submits detached (settings_stack.sql).
JOB_ID = re.compile(r"Job ID:\s*([0-9a-f]{32})")
# A job's states from which it never moves on (Flink's JobStatus#isGloballyTerminalState).
TERMINAL = {"FINISHED", "FAILED", "CANCELED"}
# dbt's profile for P01's Silver, as P01's dbt stage builds it (storage iceberg or files).
DBT_SCRIPT = (
    'RTDE_DBT_VARS="$(sh /dbt/scripts/flink_silver_vars.sh {storage})" '
    "&& export RTDE_DBT_VARS && exec /dbt/scripts/dbt_build.sh"
)


class StepFailed(RuntimeError):
    """A step of P01's stack did not succeed; the message says which and why."""


class Stack:
    """The Compose stack this process runs in, through the Docker socket."""

    def __init__(self):
        self.docker = docker.from_env()
        # Compose names a container's host after its id, so the container finds itself and
        # reads its own project: the steps reach that stack's containers and no other's.
        host = socket.gethostname()
        try:
            me = self.docker.containers.get(host)
        except docker.errors.NotFound as e:
            raise StepFailed(
                f"no container {host} on the engine: the steps run in a service of the "
                "stack, with the Docker socket mounted"
            ) from e
        project = me.labels.get("com.docker.compose.project")
        if not project:
            raise StepFailed(f"container {me.name} is not a service of a Compose stack")
        self.project = project

    def container(self, service):
        found = self.docker.containers.list(
            filters={
                "label": [
                    f"com.docker.compose.project={self.project}",
                    f"com.docker.compose.service={service}",
                ],
                "status": "running",
            }
        )
        if not found:
            raise StepFailed(f"project {self.project} has no running `{service}` container")
        return found[0]

    def exec(self, service, command):
        """Run `command` in the service's container, printing its output line by line as it
        comes; returns the whole output, raising StepFailed on a non-zero exit."""
        container = self.container(service)
        print(f"exec in {service} ({container.name}): {' '.join(command)}", flush=True)
        api = self.docker.api
        exec_id = api.exec_create(container.id, command, stdout=True, stderr=True)["Id"]
        output, pending = [], b""
        for chunk in api.exec_start(exec_id, stream=True):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode("utf-8", errors="replace")
                output.append(text)
                print(text, flush=True)
        if pending:
            text = pending.decode("utf-8", errors="replace")
            output.append(text)
            print(text, flush=True)
        code = api.exec_inspect(exec_id)["ExitCode"]
        if code != 0:
            raise StepFailed(f"`{' '.join(command)}` in {service} exited {code}")
        return "\n".join(output)


def flink_get(path):
    with urllib.request.urlopen(FLINK_REST + path, timeout=30) as response:
        return json.load(response)


def submit_flink_job(stack, storage, broker):
    """P01's `bronze_silver` submission: run-job.sh in the JobManager; returns the job's id."""
    output = stack.exec(
        "jobmanager", ["sh", "/opt/rtde/flink/bin/run-job.sh", storage, broker]
    )
    jobs = JOB_ID.findall(output)
    if not jobs:
        raise StepFailed(
            "the SQL client printed no `Job ID: …` line: the job was not submitted detached"
        )
    return jobs[-1]


def wait_flink_job(job_id, timeout_s):
    """Polls the job through the REST API until it is in a terminal state (as P01's
    `flink_job` probe does) or the deadline passes; anything but FINISHED raises StepFailed
    with the JobManager's root exception."""
    deadline = time.monotonic() + timeout_s
    pause, state = 0.2, None
    while True:
        try:
            now = flink_get(f"/jobs/{job_id}")["state"]
        except (OSError, urllib.error.URLError, KeyError) as e:
            now = f"unknown ({e})"
        if now != state:
            print(f"Flink job {job_id}: {now}", flush=True)
            state = now
        if state in TERMINAL:
            break
        if time.monotonic() > deadline:
            raise StepFailed(f"Flink job {job_id} still {state} after {timeout_s:.0f} s")
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)
    if state != "FINISHED":
        exceptions = flink_get(f"/jobs/{job_id}/exceptions?maxExceptions=1")
        trace = (exceptions.get("rootException") or "").strip()
        if not trace:
            history = exceptions.get("exceptionHistory", {}).get("entries", [])
            trace = history[0].get("stacktrace", "") if history else ""
        print(f"the JobManager's exception of Flink job {job_id}:\n{trace or '(none)'}")
        first = trace.splitlines()[0] if trace else "no exception recorded"
        raise StepFailed(f"Flink job {job_id} ended {state}: {first}")
    duration = flink_get(f"/jobs/{job_id}").get("duration", 0) / 1000
    print(f"Flink job {job_id} FINISHED; flink_job_seconds={duration:.1f}", flush=True)


def count_silver(stack, storage):
    """P01's `silver_count`: prints bronze_rows=N and silver_rows=N; returns them."""
    output = stack.exec("jobmanager", ["sh", "/opt/rtde/flink/bin/count-silver.sh", storage])
    counts = {}
    for metric in ("bronze_rows", "silver_rows"):
        found = re.findall(rf"{metric}=(\d+)", output)
        if not found:
            raise StepFailed(f"count-silver.sh printed no `{metric}=N`")
        counts[metric] = int(found[-1])
    return counts


def dbt_build(stack, storage):
    """P01's `dbt` stage in the idle dbt runner (shared/compose/orchestrated.yaml): prints
    dbt_pass=N and dbt_total=N; a failed dbt test fails it."""
    stack.exec("dbt-runner", ["sh", "-c", DBT_SCRIPT.format(storage=storage)])
