#!/usr/bin/env python3
"""Run P18's Prefect flow once through the Prefect server's API and wait for its end.

    run_flow.py --deployment p01/rtde --param storage=files --param broker=tansu --timeout 840

1. waits (within the deadline) until the worker has registered the deployment (flow.py's
   `serve()`, at the worker's startup);
2. creates one flow run of it with the parameters;
3. polls the run until Prefect says it is final (completed, failed, crashed, cancelled) or
   the deadline passes (the run is then cancelled), printing each change of state and the
   flow's log lines as they arrive: the tasks' output, with the metrics rtde captures;
4. prints every task run as an `rtde-task {json}` line (Prefect's own start, end and
   state), which rtde records in run.json (src/run/tasks.rs).

Exits 0 only when the run completed; otherwise the stage log already holds the flow's log,
the failed task's error included. It runs in the server's container, on loopback.
"""

import argparse
import asyncio
import json
import sys
import time

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, LogFilter
from prefect.client.schemas.sorting import LogSort
from prefect.exceptions import ObjectNotFound
from prefect.states import Cancelling


def parameter(text):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"`{text}` is not NAME=VALUE")
    return name, value


def rfc3339(moment):
    return moment.isoformat() if moment else None


async def wait_for_deployment(client, name, deadline):
    pause = 0.2
    while True:
        try:
            return await client.read_deployment_by_name(name)
        except ObjectNotFound:
            why = "not registered yet (the worker serves it once it has started)"
        except Exception as e:  # the server itself may still be starting
            why = f"{type(e).__name__}: {e}"
        if time.monotonic() > deadline:
            raise RuntimeError(f"deployment {name}: {why}")
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 2.0)


# The flow's last log line (flow.py): the worker ships its logs to the server in batches,
# after the run may already be final, so a completed run's log is read until this arrives.
END_OF_LOG = "rtde-flow-end"


async def print_new_logs(client, run_id, printed, seen_end=False):
    """The flow run's log lines after the `printed` already shown; returns the new count and
    whether END_OF_LOG is among the lines so far."""
    while True:
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id={"any_": [run_id]}),
            sort=LogSort.TIMESTAMP_ASC,
            offset=printed,
            limit=200,
        )
        for log in logs:
            for line in log.message.splitlines():
                print(f"prefect: {line}", flush=True)
                seen_end = seen_end or line.strip() == END_OF_LOG
        printed += len(logs)
        if len(logs) < 200:
            return printed, seen_end


async def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--deployment", required=True, help="FLOW/DEPLOYMENT")
    args.add_argument("--param", type=parameter, action="append", default=[])
    args.add_argument("--timeout", type=float, required=True, help="seconds")
    opts = args.parse_args()
    deadline = time.monotonic() + opts.timeout

    async with get_client() as client:
        deployment = await wait_for_deployment(client, opts.deployment, deadline)
        run = await client.create_flow_run_from_deployment(
            deployment.id, parameters=dict(opts.param)
        )
        print(f"prefect: flow run {run.name} ({run.id}) of {opts.deployment} created", flush=True)

        state, pause, printed, seen_end = None, 0.2, 0, False
        while True:
            run = await client.read_flow_run(run.id)
            if run.state_type != state:
                state = run.state_type
                print(f"prefect: flow run {run.name} {run.state.name}", flush=True)
            printed, seen_end = await print_new_logs(client, run.id, printed, seen_end)
            if run.state.is_final():
                break
            if time.monotonic() > deadline:
                await client.set_flow_run_state(run.id, Cancelling(), force=True)
                print(f"prefect: flow run {run.name} still {run.state.name} at the deadline; "
                      "cancelled it", flush=True)
                break
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 1.0)
        # The worker may ship the last lines after the run turned final: a completed run's
        # log is read until its END_OF_LOG line (a failed run's once more), with a deadline.
        printed, seen_end = await print_new_logs(client, run.id, printed, seen_end)
        log_deadline, pause = time.monotonic() + 60, 0.2
        while run.state.is_completed() and not seen_end:
            if time.monotonic() > log_deadline:
                print(f"prefect: the flow's log ended without `{END_OF_LOG}` 60 s after the run "
                      "completed", flush=True)
                break
            await asyncio.sleep(pause)  # polling the server's log until the last batch arrives
            pause = min(pause * 1.5, 1.0)
            printed, seen_end = await print_new_logs(client, run.id, printed, seen_end)

        tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id={"any_": [run.id]}))
        completed = 0
        for task in sorted(tasks, key=lambda t: (t.start_time or t.expected_start_time, t.name)):
            completed += task.state_type.value == "COMPLETED"
            print("rtde-task " + json.dumps({
                "name": task.name,
                "state": task.state_type.value.lower(),
                "started_at": rfc3339(task.start_time),
                "ended_at": rfc3339(task.end_time),
            }), flush=True)
        print(f"prefect_tasks_completed={completed}")
        print(f"prefect_tasks_total={len(tasks)}")
        if not run.state.is_completed():
            print(f"prefect: flow run {run.name} ended {run.state.name}: {run.state.message}")
            return 1
        return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except RuntimeError as e:
        print(f"run_flow.py: {e}", file=sys.stderr)
        sys.exit(1)
