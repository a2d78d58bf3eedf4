#!/usr/bin/env python3
"""Run P08's Airflow DAG once through Airflow's REST API and wait for its end.

    run_dag.py --dag p01 --conf storage=files --conf broker=tansu --timeout 1740

1. waits (within the deadline) until the API server answers and the DAG processor has
   parsed dag.py (an import error of the DAG file fails here, with Airflow's traceback);
2. unpauses the DAG and triggers one run of it with the conf as the run's params;
3. polls the run until Airflow says it is final (success or failed) or the deadline passes
   (the run is then marked failed, which stops its tasks), printing each change of state
   and each task's log once the task has ended: the tasks' output, with the metrics rtde
   captures, and a failed task's exception;
4. prints every task instance as an `rtde-task {json}` line (Airflow's own start, end and
   state), which rtde records in run.json (src/run/tasks.rs).

Exits 0 only when the run succeeded. It runs in the Airflow container, on loopback, with
Python's standard library only: the API server's simple auth manager gives every caller
admin rights there (compose.yaml), so a token is had without a password.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

FINAL_RUN = {"success", "failed"}
# A task instance's states from which it does not move on within a run without retries.
FINAL_TASK = {"success", "failed", "upstream_failed", "skipped", "removed"}


class AirflowError(RuntimeError):
    """Airflow answered something the run cannot go on from; the message says what."""


def parameter(text):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"`{text}` is not NAME=VALUE")
    return name, value


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.token = None

    def call(self, method, path, body=None):
        """The JSON answer of one request; an HTTP error raises HTTPError with its body read
        into `detail`."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            e.detail = e.read().decode("utf-8", errors="replace")
            raise

    def login(self):
        # GET /auth/token hands out a token without credentials only when
        # `simple_auth_manager_all_admins` is set, as compose.yaml does.
        self.token = self.call("GET", "/auth/token")["access_token"]


def quoted(value):
    return urllib.parse.quote(value, safe="")


def wait_for_dag(api, dag_id, deadline):
    """The DAG as the API shows it, once the API server is up and dag.py has been parsed."""
    pause = 0.2
    while True:
        try:
            if api.token is None:
                api.login()
            dag = api.call("GET", f"/api/v2/dags/{quoted(dag_id)}")
            if not dag.get("has_import_errors"):
                return dag
            why = "its file has import errors"
        except urllib.error.HTTPError as e:
            why = f"HTTP {e.code}: {e.detail}"
            if e.code == 404:
                why = "not parsed yet (the DAG processor parses dag.py at startup)"
        except (OSError, ValueError, KeyError) as e:  # the server itself may still be starting
            why = f"{type(e).__name__}: {e}"
        errors = import_errors(api) if api.token else []
        if errors:
            raise AirflowError(f"DAG {dag_id} cannot be imported:\n" + "\n".join(errors))
        if time.monotonic() > deadline:
            raise AirflowError(f"DAG {dag_id}: {why}")
        time.sleep(pause)
        pause = min(pause * 1.5, 2.0)


def import_errors(api):
    try:
        answer = api.call("GET", "/api/v2/importErrors")
    except (OSError, ValueError) as e:
        return [f"(the import errors could not be read: {e})"]
    return [f"{e['filename']}:\n{e['stack_trace']}" for e in answer.get("import_errors", [])]


def log_lines(entry):
    """One entry of a task's structured log as text lines; an exception's entry carries its
    type, message and frames (`error_detail`)."""
    event = entry.get("event", "")
    if event.startswith("::group::") or event.startswith("::endgroup::"):
        return []
    lines = str(event).splitlines() or [""]
    if entry.get("level") not in (None, "info") and entry.get("logger") != "task.stdout":
        lines[0] = f"{entry['level'].upper()} {lines[0]}"
    for error in entry.get("error_detail") or []:
        for frame in error.get("frames", []):
            lines.append(f'  File "{frame["filename"]}", line {frame["lineno"]}, in {frame["name"]}')
        lines.append(f"{error.get('exc_type')}: {error.get('exc_value')}")
    return lines


def print_task_log(api, dag_id, run_id, task):
    """Prints the task's log; returns its last exception as `Type: message`, or None."""
    path = (f"/api/v2/dags/{quoted(dag_id)}/dagRuns/{quoted(run_id)}/taskInstances/"
            f"{quoted(task['task_id'])}/logs/{task['try_number']}?full_content=true")
    try:
        content = api.call("GET", path).get("content", [])
    except (OSError, ValueError) as e:
        print(f"airflow: {task['task_id']}: its log could not be read: {e}", flush=True)
        return None
    error = None
    for entry in content:
        if isinstance(entry, str):
            entry = {"event": entry}
        for line in log_lines(entry):
            print(f"airflow: {task['task_id']}: {line}", flush=True)
        for detail in entry.get("error_detail") or []:
            error = f"{detail.get('exc_type')}: {detail.get('exc_value')}"
    return error


def task_instances(api, dag_id, run_id):
    answer = api.call(
        "GET", f"/api/v2/dags/{quoted(dag_id)}/dagRuns/{quoted(run_id)}/taskInstances"
    )
    return answer["task_instances"]


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--dag", required=True, help="the DAG's id")
    args.add_argument("--conf", type=parameter, action="append", default=[],
                      help="NAME=VALUE, one of the run's params")
    args.add_argument("--timeout", type=float, required=True, help="seconds")
    args.add_argument("--api", default="http://127.0.0.1:8080", help="the API server")
    opts = args.parse_args()
    deadline = time.monotonic() + opts.timeout
    api = Api(opts.api)

    dag = wait_for_dag(api, opts.dag, deadline)
    if dag["is_paused"]:
        api.call("PATCH", f"/api/v2/dags/{quoted(opts.dag)}", {"is_paused": False})
    try:
        run = api.call("POST", f"/api/v2/dags/{quoted(opts.dag)}/dagRuns",
                       {"logical_date": None, "conf": dict(opts.conf)})
    except urllib.error.HTTPError as e:
        raise AirflowError(f"triggering {opts.dag}: HTTP {e.code}: {e.detail}") from e
    run_id = run["dag_run_id"]
    run_path = f"/api/v2/dags/{quoted(opts.dag)}/dagRuns/{quoted(run_id)}"
    print(f"airflow: dag run {run_id} of {opts.dag} triggered", flush=True)

    state, pause, logged, errors = None, 0.2, set(), {}
    while True:
        try:
            run = api.call("GET", run_path)
            if run["state"] != state:
                state = run["state"]
                print(f"airflow: dag run {run_id} {state}", flush=True)
            for task in task_instances(api, opts.dag, run_id):
                if task["state"] in FINAL_TASK and task["task_id"] not in logged:
                    logged.add(task["task_id"])
                    print(f"airflow: task {task['task_id']} {task['state']}", flush=True)
                    error = print_task_log(api, opts.dag, run_id, task)
                    if error:
                        errors[task["task_id"]] = error
        except OSError as e:  # a busy server (SQLite is locked while the scheduler writes)
            print(f"airflow: polling dag run {run_id}: {e}; retrying", flush=True)
        if state in FINAL_RUN:
            break
        if time.monotonic() > deadline:
            api.call("PATCH", run_path, {"state": "failed"})
            print(f"airflow: dag run {run_id} still {state} at the deadline; marked it failed",
                  flush=True)
            break
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)

    tasks = task_instances(api, opts.dag, run_id)
    succeeded = 0
    for task in sorted(tasks, key=lambda t: (t["start_date"] or "~", t["task_id"])):
        succeeded += task["state"] == "success"
        print("rtde-task " + json.dumps({
            "name": task["task_id"],
            "state": task["state"] or "none",
            "started_at": task["start_date"],
            "ended_at": task["end_date"],
        }), flush=True)
    print(f"airflow_tasks_succeeded={succeeded}")
    print(f"airflow_tasks_total={len(tasks)}")
    if state != "success":
        failed = [f"{t['task_id']} {t['state'] or 'not started'}"
                  + (f" ({errors[t['task_id']]})" if t["task_id"] in errors else "")
                  for t in tasks if t["state"] != "success"]
        print(f"airflow: dag run {run_id} ended {state}: {'; '.join(failed) or 'no task failed'}"
              " (each ended task's log is above)")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AirflowError as e:
        print(f"run_dag.py: {e}", file=sys.stderr)
        sys.exit(1)
